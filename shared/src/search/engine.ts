/**
 * Query execution over MiniSearch's inverted index, for a query typed letter by letter.
 *
 * MiniSearch keeps the index (a radix tree of terms, postings per field, document lengths) and
 * does adding, removing and discarding; its own `search` is not used, because for a chat typed
 * into it does work it cannot skip: a prefix or typo expansion on every term, the complete
 * result list of every term before combining them, a result object for every document found,
 * and a sort of all of them. Here (`run`):
 *
 * - only the word being typed (the last) is expanded to its completions, and at most
 *   MAX_EXPANSIONS of them (the closest first); typo tolerance runs only when exact and prefix
 *   matches found fewer results than asked (SearchIndex.search);
 * - AND is evaluated from the rarest term: the next terms only look up the documents still in;
 * - filters (`keep`) drop a document before it is scored, once;
 * - the best `limit` are kept in a small sorted array (top-k), never a sort of everything.
 *
 * Scoring is MiniSearch's BM25 (same parameters and field lengths), times a per-document boost.
 * The internals used are those of minisearch 7.2.0 (the version is pinned for the workspace):
 * `_index`, `_documentIds`, `_idToShortId`, `_fieldLength`, `_avgFieldLength`, `_documentCount`,
 * `_nextId`, `_fieldIds`, `_dirtCount`; search-index.test.ts checks the results agree.
 */
import type MiniSearch from 'minisearch';
import type SearchableMap from 'minisearch/SearchableMap';
import { PackedPostings } from './packed-postings.js';

/** field id -> short document id -> term frequency. */
export type Postings = Map<number, Map<number, number>>;

export interface MiniInternals {
  _index: SearchableMap<Postings>;
  _documentIds: Map<number, string>;
  _idToShortId: Map<string, number>;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentCount: number;
  _nextId: number;
  _dirtCount: number;
}

export function internals<T>(mini: MiniSearch<T>): MiniInternals {
  return mini as unknown as MiniInternals;
}

/** Completions (or near spellings) of one query term considered at most. */
export const MAX_EXPANSIONS = 24;
const PREFIX_WEIGHT = 0.6;
const FUZZY_WEIGHT = 0.4;
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

/** An index term a query term matches, with the weight of that match. */
export interface Expansion {
  term: string;
  weight: number;
  data: Postings;
  /** Postings, all fields. */
  size: number;
  distance: number;
}

/** Every (document, frequency) of one term's postings; straight over the arrays when packed. */
function each(postings: Map<number, number>, fn: (doc: number, tf: number) => void): void {
  const packed = postings as unknown;
  if (packed instanceof PackedPostings && packed.packed) {
    const { docs, tfs } = packed;
    for (let i = 0; i < docs.length; i++) fn(docs[i], tfs[i]);
  } else for (const [doc, tf] of postings) fn(doc, tf);
}

function sizeOf(data: Postings): number {
  let n = 0;
  for (const m of data.values()) n += m.size;
  return n;
}

/** The index terms one query term matches: itself, its completions, its near spellings. */
export function expand(ix: MiniInternals, term: string, prefix: boolean, fuzzy: number): Expansion[] {
  const out: Expansion[] = [];
  const exact = ix._index.get(term);
  if (exact) out.push({ term, weight: 1, data: exact, size: sizeOf(exact), distance: 0 });
  const extra: Expansion[] = [];
  if (prefix) {
    for (const [t, data] of ix._index.atPrefix(term)) {
      const distance = t.length - term.length;
      if (distance === 0) continue;
      const weight = (PREFIX_WEIGHT * t.length) / (t.length + 0.3 * distance);
      extra.push({ term: t, weight, data, size: sizeOf(data), distance });
    }
  }
  if (fuzzy > 0) {
    const seen = new Set(extra.map((e) => e.term));
    for (const [t, [data, distance]] of ix._index.fuzzyGet(term, fuzzy)) {
      if (distance === 0 || seen.has(t)) continue;
      const weight = (FUZZY_WEIGHT * t.length) / (t.length + distance);
      extra.push({ term: t, weight, data, size: sizeOf(data), distance });
    }
  }
  // The closest first (fewest letters added or changed), then the most frequent.
  extra.sort((a, b) => a.distance - b.distance || b.size - a.size);
  for (const e of extra.slice(0, MAX_EXPANSIONS)) out.push(e);
  return out;
}

export interface Hit {
  doc: number;
  score: number;
  /** Tie-break: the more recent first. */
  ts: number;
}

/**
 * Documents matching every term (each a list of expansions), scored by BM25 times `boost`,
 * the best `limit` of them, best first. `keep(doc)` is false for a document to leave out
 * (filtered, or discarded from MiniSearch); `boost(doc)` weighs a kept one; `ts(doc)` breaks
 * ties. `total` receives how many matched in all.
 */
export function run(
  ix: MiniInternals,
  terms: Expansion[][],
  limit: number,
  keep: (doc: number) => boolean,
  boost: (doc: number) => number,
  ts: (doc: number) => number,
): { hits: Hit[]; total: number } {
  if (terms.length === 0 || terms.some((t) => t.length === 0)) return { hits: [], total: 0 };
  const n = ix._documentCount;
  const avg = ix._avgFieldLength;
  const lengths = ix._fieldLength;
  const bm25 = (tf: number, df: number, doc: number, field: number): number => {
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    const length = lengths.get(doc)?.[field] ?? 0;
    return (
      idf * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * (1 - BM25.b + (BM25.b * length) / avg[field])))
    );
  };
  const ordered = [...terms].sort((a, b) => total(a) - total(b));

  // The rarest term: every document it holds, filtered once.
  let scores = new Map<number, number>();
  const rejected = new Set<number>();
  for (const e of ordered[0]) {
    for (const [field, postings] of e.data) {
      const df = postings.size;
      each(postings, (doc, tf) => {
        const had = scores.get(doc);
        if (had === undefined) {
          if (rejected.has(doc)) return;
          if (!keep(doc)) {
            rejected.add(doc);
            return;
          }
        }
        scores.set(doc, (had ?? 0) + e.weight * bm25(tf, df, doc, field));
      });
    }
  }
  // Each next term: only documents still in.
  for (const expansions of ordered.slice(1)) {
    if (scores.size === 0) break;
    const next = new Map<number, number>();
    if (scores.size <= total(expansions)) {
      for (const [doc, score] of scores) {
        let add = 0;
        for (const e of expansions)
          for (const [field, postings] of e.data) {
            const tf = postings.get(doc);
            if (tf) add += e.weight * bm25(tf, postings.size, doc, field);
          }
        if (add > 0) next.set(doc, score + add);
      }
    } else {
      for (const e of expansions)
        for (const [field, postings] of e.data)
          each(postings, (doc, tf) => {
            const base = next.get(doc) ?? scores.get(doc);
            if (base !== undefined) next.set(doc, base + e.weight * bm25(tf, postings.size, doc, field));
          });
    }
    scores = next;
  }

  const top: Hit[] = [];
  for (const [doc, raw] of scores) {
    const hit = { doc, score: raw * boost(doc), ts: ts(doc) };
    if (top.length === limit && !better(hit, top[top.length - 1])) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (better(hit, top[mid])) hi = mid;
      else lo = mid + 1;
    }
    top.splice(lo, 0, hit);
    if (top.length > limit) top.pop();
  }
  return { hits: top, total: scores.size };
}

function better(a: Hit, b: Hit): boolean {
  return a.score > b.score || (a.score === b.score && a.ts > b.ts);
}

function total(expansions: Expansion[]): number {
  let n = 0;
  for (const e of expansions) n += e.size;
  return n;
}

/** The index terms (of the expansions) a document holds: what to highlight in its snippet. */
export function matchedTerms(terms: Expansion[][], doc: number): string[] {
  const out: string[] = [];
  for (const expansions of terms)
    for (const e of expansions)
      for (const postings of e.data.values()) if (postings.has(doc)) out.push(e.term);
  return out;
}
