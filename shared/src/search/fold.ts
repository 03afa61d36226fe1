/**
 * French-aware text processing for search, the same for indexing and for queries: folding
 * (accents, case, ligatures), word splitting (apostrophes, hyphens), stop words.
 *
 *   « Réunion de l'équipe sur le Cœur-de-ville » -> réunion équipe cœur ville cœurdeville
 *   folded:                                       -> reunion equipe coeur ville coeurdeville
 */
import { FRENCH_STOP_WORDS } from './stop-words.js';

/** The combining diacritical mark blocks (what NFD splits accents into). */
// eslint-disable-next-line no-misleading-character-class -- ranges of lone combining marks, on purpose
const COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ﬁ: 'fi', ﬂ: 'fl' };

/** Lower case, accents removed (NFD then combining marks dropped), ligatures spelled out. */
export function foldTerm(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING, '')
    .replace(/[œæßﬁﬂ]/g, (c) => LIGATURES[c] ?? c);
}

/**
 * A word: letters and digits, possibly joined by hyphens (« peut-être », « Saint-Étienne »).
 * Apostrophes (straight, typographic, modifier) end a word, so « l'équipe » gives « l » and
 * « équipe » and the elided article is dropped as a stop word.
 */
const WORD = /[\p{L}\p{N}\p{M}]+(?:[-‐‑][\p{L}\p{N}\p{M}]+)*/gu;

export interface Token {
  /** The word as written. */
  word: string;
  /** Offset in the text, for highlighting. */
  start: number;
  end: number;
}

/** Words of a text with their positions (hyphenated words kept whole). */
export function words(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) out.push({ word: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * What separates words: white space and punctuation (ASCII, Latin-1, the general punctuation
 * block with typographic apostrophes and quotes, CJK punctuation) and astral characters (emoji);
 * not hyphens. A character class of ranges rather than \p{L}: it is several times faster, and
 * tokenizing is most of the cost of indexing.
 */
const NON_WORD =
  /[\s!-,./:-@[-`{-~\u00a0-\u00bf\u00d7\u00f7\u2000-\u200f\u2012-\u206f\u2190-\u2bff\u3000-\u303f\ud800-\udfff]+/;
const HYPHENS = /[-‐‑]+/;
const NON_ASCII = /[^\t-~]/;

/** foldTerm, faster on plain ASCII (most words): no Unicode normalization needed. */
function foldFast(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? foldTerm(lower) : lower;
}

/**
 * The terms a text is indexed under, already folded (the whole text is folded once, which is
 * much cheaper than word by word): each word, and for a hyphenated word its parts and their
 * concatenation, so « porte-monnaie », « porte monnaie » and « portemonnaie » all find it.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const word of foldFast(text).split(NON_WORD)) {
    if (word === '') continue;
    if (!HYPHENS.test(word)) {
      out.push(word);
      continue;
    }
    const parts = word.split(HYPHENS).filter(Boolean);
    out.push(...parts);
    if (parts.length > 1) out.push(parts.join(''));
  }
  return out;
}

/** For terms from tokenize (already folded): drop stop words. */
export function indexTerm(term: string): string | null {
  return FRENCH_STOP_WORDS.has(term) ? null : term;
}

/** Any term: folded, or null for a stop word (not indexed, not searched). */
export function processTerm(term: string): string | null {
  const folded = foldFast(term);
  if (folded.length === 0 || FRENCH_STOP_WORDS.has(folded)) return null;
  return folded;
}

/**
 * Query terms: like processTerm, except that a query made of one stop word being typed is kept
 * (« de » may be the start of « devis »). Inside a longer query it is dropped, so « réunion de »
 * does not suddenly require a word starting with « de ».
 */
export function queryTerms(text: string): string[] {
  const raw = tokenize(text);
  const out = new Set<string>();
  for (const term of raw) {
    const processed = indexTerm(term);
    if (processed) out.add(processed);
  }
  if (out.size === 0 && raw.length === 1 && raw[0].length >= 2 && !/\s$/.test(text)) out.add(raw[0]);
  return [...out];
}
