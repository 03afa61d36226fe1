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
/**
 * Postings of completions scored at most (beyond the closest one): « imp » alone has two dozen
 * frequent completions; the closest ones are what the typist is after, the next letters narrow.
 */
export const MAX_EXPANDED_POSTINGS = 20_000;
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
  let postings = 0;
  let taken = 0;
  for (const e of extra) {
    if (taken === MAX_EXPANSIONS || (taken > 0 && postings + e.size > MAX_EXPANDED_POSTINGS)) break;
    out.push(e);
    postings += e.size;
    taken++;
  }
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
  /** Per field, each document's length (by short id): MiniSearch's, in flat arrays. */
  fieldLengths: ArrayLike<number>[],
): { hits: Hit[]; total: number } {
  if (terms.length === 0 || terms.some((t) => t.length === 0)) return { hits: [], total: 0 };
  const n = ix._documentCount;
  const avg = ix._avgFieldLength;
  const { k, b, d } = BM25;
  /** One posting's BM25 share (`idf` is the term's, computed once per posting list). */
  const score = (tf: number, idf: number, doc: number, field: number): number => {
    const length = fieldLengths[field][doc] ?? 0;
    return idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * length) / avg[field])));
  };
  const idfOf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const ordered = [...terms].sort((x, y) => total(x) - total(y));

  // Scores by short document id in a flat array (0: not in, -1: filtered out), and the list
  // of documents in: far cheaper than a Map for the tens of thousands of postings of a prefix.
  const { scores, seen } = scratch(ix._nextId);
  const touched: number[] = [];
  let docs: number[] = [];
  for (const e of ordered[0]) {
    for (const [field, postings] of e.data) {
      const idf = idfOf(postings.size) * e.weight;
      each(postings, (doc, tf) => {
        const had = scores[doc];
        if (had < 0) return;
        if (had === 0) {
          touched.push(doc);
          if (!keep(doc)) {
            scores[doc] = -1;
            return;
          }
          docs.push(doc);
        }
        scores[doc] = had + score(tf, idf, doc, field);
      });
    }
  }
  // Each next term: only documents still in; those it does not hold leave.
  ordered.slice(1).forEach((expansions, i) => {
    if (docs.length === 0) return;
    const mark = i + 1;
    if (docs.length <= total(expansions)) {
      for (const doc of docs)
        for (const e of expansions)
          for (const [field, postings] of e.data) {
            const tf = postings.get(doc);
            if (!tf) continue;
            scores[doc] += score(tf, idfOf(postings.size) * e.weight, doc, field);
            seen[doc] = mark;
          }
    } else {
      for (const e of expansions)
        for (const [field, postings] of e.data) {
          const idf = idfOf(postings.size) * e.weight;
          each(postings, (doc, tf) => {
            if (scores[doc] <= 0) return;
            scores[doc] += score(tf, idf, doc, field);
            seen[doc] = mark;
          });
        }
    }
    docs = docs.filter((doc) => seen[doc] === mark);
  });

  const top: Hit[] = [];
  for (const doc of docs) {
    const value = scores[doc] * boost(doc);
    const last = top[top.length - 1];
    if (top.length === limit && value < last.score) continue;
    const hit = { doc, score: value, ts: ts(doc) };
    if (top.length === limit && !better(hit, last)) continue;
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
  const matched = docs.length;
  for (const doc of touched) {
    scores[doc] = 0;
    seen[doc] = 0;
  }
  return { hits: top, total: matched };
}

/** Scratch arrays reused by every query (cleared after use, entry by entry). */
let scratchArrays = { scores: new Float64Array(0), seen: new Int32Array(0) };
function scratch(size: number): { scores: Float64Array; seen: Int32Array } {
  if (scratchArrays.scores.length < size) {
    const capacity = Math.max(size, Math.ceil(scratchArrays.scores.length * 1.5), 1024);
    scratchArrays = { scores: new Float64Array(capacity), seen: new Int32Array(capacity) };
  }
  return scratchArrays;
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
