/** A short excerpt of a message around its first matched word, matched words marked. */
import { foldTerm, words } from './fold.js';

export interface SnippetPart {
  text: string;
  hit: boolean;
}

/** Does this written word (possibly hyphenated) match one of the index terms found? */
function isHit(word: string, terms: ReadonlySet<string>): boolean {
  const folded = foldTerm(word);
  if (terms.has(folded)) return true;
  const parts = folded.split(/[-‐‑]/);
  return parts.length > 1 && (parts.some((p) => terms.has(p)) || terms.has(parts.join('')));
}

/**
 * `terms` are the folded index terms that matched (after prefix and typo tolerance, so
 * « reunoin » highlights « réunion »). The excerpt keeps about `max` characters, starting a
 * little before the first hit, cut at word boundaries.
 */
export function snippet(text: string, terms: ReadonlySet<string>, max = 160): SnippetPart[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const tokens = words(flat);
  const hits = tokens.filter((t) => isHit(t.word, terms));
  let from = 0;
  if (hits.length > 0 && hits[0].end > max - 20) {
    // Start a few words before the first hit.
    const lead = tokens.filter((t) => t.start < hits[0].start).slice(-4);
    from = lead.length > 0 ? lead[0].start : hits[0].start;
  }
  let to = Math.min(flat.length, from + max);
  if (to < flat.length) {
    const cut = flat.lastIndexOf(' ', to);
    if (cut > from + max / 2) to = cut;
  }
  const parts: SnippetPart[] = [];
  const push = (s: string, hit: boolean) => {
    if (s === '') return;
    const last = parts.at(-1);
    if (last && last.hit === hit) last.text += s;
    else parts.push({ text: s, hit });
  };
  if (from > 0) push('… ', false);
  let at = from;
  for (const h of hits) {
    if (h.start < from || h.end > to) continue;
    push(flat.slice(at, h.start), false);
    push(flat.slice(h.start, h.end), true);
    at = h.end;
  }
  push(flat.slice(at, to), false);
  if (to < flat.length) push(' …', false);
  return parts;
}
