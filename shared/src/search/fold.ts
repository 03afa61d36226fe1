/**
 * French-aware text processing for search, the same for indexing and for queries: folding
 * (accents, case, ligatures), word splitting (apostrophes, hyphens), stop words.
 *
 *   « Réunion de l'équipe sur le Cœur-de-ville » -> réunion équipe cœur ville cœurdeville
 *   folded:                                       -> reunion equipe coeur ville coeurdeville
 */
import { fold } from '../text.js';
import { FRENCH_STOP_WORDS } from './stop-words.js';

/** The one fold of shared/src/text.ts: accents, case, ligatures (œ→oe, æ→ae). */
export const foldTerm = fold;

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

/** The index terms of one folded word: itself, or for a hyphenated word its parts and their join. */
function termsOf(word: string): string[] {
  if (!HYPHENS.test(word)) return [word];
  const parts = word.split(HYPHENS).filter(Boolean);
  return parts.length > 1 ? [...parts, parts.join('')] : parts;
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
    if (!HYPHENS.test(word)) out.push(word);
    else out.push(...termsOf(word));
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

/** Prefix matching from 3 letters: « ré » is too vague to be worth the time, « réu » is not. */
export function prefixOk(term: string): boolean {
  return term.length >= 3;
}

/** A term of a query; `prefix`: it comes from the word being typed, so its completions count. */
export interface QueryTerm {
  term: string;
  prefix: boolean;
}

/**
 * A query's terms, each once: folded, stop words dropped. Only the word being typed (the last,
 * when the text does not end with a space) is matched as a prefix; the words before it are
 * finished. A query made of one stop word being typed is kept (« de » may be the start of
 * « devis »); inside a longer query it is dropped, so « réunion de » does not suddenly require
 * a word starting with « de ».
 */
export function queryPlan(text: string): QueryTerm[] {
  const typing = text !== '' && !/\s$/.test(text);
  const raw = foldFast(text).split(NON_WORD).filter(Boolean);
  const out = new Map<string, boolean>();
  raw.forEach((word, i) => {
    const last = typing && i === raw.length - 1;
    for (const term of termsOf(word))
      if (!FRENCH_STOP_WORDS.has(term)) out.set(term, (out.get(term) ?? false) || last);
  });
  if (out.size === 0 && typing && raw.length === 1 && raw[0].length >= 2 && !HYPHENS.test(raw[0]))
    out.set(raw[0], true);
  return [...out].map(([term, last]) => ({ term, prefix: last && prefixOk(term) }));
}

/** The terms of queryPlan. */
export function queryTerms(text: string): string[] {
  return queryPlan(text).map((q) => q.term);
}
