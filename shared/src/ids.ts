/**
 * Ids: their one format and their generator. Ids are plain strings on purpose (no branded types):
 * every id arrives as text from JSON, a URL or a Yjs map and is checked there (isId, the zod
 * schemas); a brand would only be a cast at each of those edges, proving nothing the check does not.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A random 20-character id (100 bits) from the platform's CSPRNG; safe in browsers and Node. */
export function newId(length = 20): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

/** The one id format (newId makes 20 characters; older or imported ids may be 8 to 40). */
export const ID_PATTERN = /^[0-9a-z]{8,40}$/;

/** Ids travel in URLs and documents; anything else is refused at the edge. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
