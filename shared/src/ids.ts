/** Branded identifiers: a UserId cannot be passed where a DiscussionId is expected. */
export type UserId = string & { readonly __brand: 'UserId' };
export type DiscussionId = string & { readonly __brand: 'DiscussionId' };
export type MessageId = string & { readonly __brand: 'MessageId' };

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
