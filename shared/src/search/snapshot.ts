/**
 * The persisted MiniSearch index in a compact, columnar form: a few strings and typed arrays
 * instead of MiniSearch's JSON (an object per term, a string key per posting). IndexedDB's
 * structured clone (and v8.serialize in the bench) copies typed arrays as raw bytes, so a cold
 * start does not even build MiniSearch's posting maps: each term's postings stay a view on the
 * loaded arrays (`PackedPostings`, a read-only Map until the first change to that term, which
 * turns it into a real Map). Postings of discarded documents are left out.
 *
 * Documents are not named here: each is MiniSearch's short id, with its discussion and the seq
 * of the version indexed. Each discussion's record lists its messages' short ids too, so a cold
 * start pairs them by short id and checks the seq (a message changed since holds another seq):
 * no lookup by message id, and MiniSearch's id maps are filled without hashing (id-maps.ts).
 */
import MiniSearch, { type Options } from 'minisearch';
import { internals, type Postings } from './engine.js';
import { DenseIdMap } from './id-maps.js';
import { PackedPostings } from './packed-postings.js';

export interface PackedIndex {
  /** MiniSearch's short id of each document, increasing. */
  shortIds: Uint32Array;
  /** The seq of the version of each that is indexed (see SearchIndex). */
  seq: Float64Array;
  /** The group (discussion) of each document: an index into `groups`. */
  groups: string[];
  group: Uint32Array;
  /** Per document, the length of each field (fields.length per document). */
  fieldLength: Uint32Array;
  avgFieldLength: number[];
  nextId: number;
  /** Terms joined by '\n' (a term never holds white space). */
  terms: string;
  /** Per term and field, how many postings. */
  counts: Uint32Array;
  /** Postings in order: document short id and term frequency. */
  postDocs: Uint32Array;
  postTf: Uint16Array;
}

export function packIndex<T>(
  mini: MiniSearch<T>,
  fieldCount: number,
  /** A document's discussion and the seq of its indexed version. */
  docOf: (short: number) => { group: string; seq: number },
  /** A document's field length (those loaded by unpackIndex are not in MiniSearch's map). */
  lengthOf: (short: number, field: number) => number,
): PackedIndex {
  const ix = internals(mini);
  const shortIds = new Uint32Array(ix._documentIds.size);
  const seq = new Float64Array(ix._documentIds.size);
  const groups = new Map<string, number>();
  const group = new Uint32Array(ix._documentIds.size);
  const fieldLength = new Uint32Array(ix._documentIds.size * fieldCount);
  const order = [...ix._documentIds.keys()].sort((a, b) => a - b);
  let i = 0;
  for (const short of order) {
    shortIds[i] = short;
    const doc = docOf(short);
    seq[i] = doc.seq;
    const g = doc.group;
    let n = groups.get(g);
    if (n === undefined) groups.set(g, (n = groups.size));
    group[i] = n;
    for (let f = 0; f < fieldCount; f++) fieldLength[i * fieldCount + f] = lengthOf(short, f);
    i++;
  }
  const terms: string[] = [];
  const counts: number[] = [];
  let postings = 0;
  for (const [, data] of ix._index) for (const m of data.values()) postings += m.size;
  const postDocs = new Uint32Array(postings);
  const postTf = new Uint16Array(postings);
  let p = 0;
  for (const [term, data] of ix._index) {
    const at = p;
    const termCounts: number[] = [];
    for (let f = 0; f < fieldCount; f++) {
      const start = p;
      let sorted = true;
      for (const [doc, tf] of data.get(f) ?? []) {
        if (!ix._documentIds.has(doc)) continue;
        if (p > start && doc < postDocs[p - 1]) sorted = false;
        postDocs[p] = doc;
        postTf[p] = Math.min(tf, 0xffff);
        p++;
      }
      if (!sorted) sortPostings(postDocs, postTf, start, p);
      termCounts.push(p - start);
    }
    if (p === at) continue; // only discarded documents held it
    terms.push(term);
    counts.push(...termCounts);
  }
  return {
    shortIds,
    seq,
    groups: [...groups.keys()],
    group,
    fieldLength,
    avgFieldLength: [...ix._avgFieldLength],
    nextId: ix._nextId,
    terms: terms.join('\n'),
    counts: Uint32Array.from(counts),
    postDocs: postDocs.slice(0, p),
    postTf: postTf.slice(0, p),
  };
}

/** Postings are stored by increasing document (PackedPostings binary-searches them). */
function sortPostings(docs: Uint32Array, tfs: Uint16Array, start: number, end: number): void {
  const order = Array.from({ length: end - start }, (_, i) => start + i).sort((a, b) => docs[a] - docs[b]);
  const d = order.map((i) => docs[i]);
  const t = order.map((i) => tfs[i]);
  docs.set(d, start);
  tfs.set(t, start);
}

/**
 * A MiniSearch index from its packed form. `keep(short, group, seq, at)` answers the id of the
 * message it still is, or null to leave the document out entirely (its postings too: the
 * index is as if it had never held it), for messages changed or deleted after the snapshot
 * was written and discussions gone. Field lengths are NOT put in MiniSearch's map (100,000
 * arrays and map entries, read by nothing on the query path): `at` tells where they are
 * (`packed.fieldLength` at `at * fields`), and the caller keeps them. MiniSearch's short id ->
 * id map is a DenseIdMap; its id -> short id map is left EMPTY (the caller installs one).
 */
export function unpackIndex<T>(
  packed: PackedIndex,
  options: Options<T>,
  keep: (short: number, group: string, seq: number, at: number) => string | null,
): { mini: MiniSearch<T>; dropped: number } {
  const mini = new MiniSearch<T>(options);
  const ix = internals(mini);
  const fieldCount = options.fields.length;
  const n = packed.shortIds.length;
  const dropped = new Set<number>();
  const totals = new Array<number>(fieldCount).fill(0);
  const documentIds = new DenseIdMap(packed.nextId);
  for (let i = 0; i < n; i++) {
    const short = packed.shortIds[i];
    const id = keep(short, packed.groups[packed.group[i]], packed.seq[i], i);
    if (id === null) {
      dropped.add(short);
      continue;
    }
    documentIds.set(short, id);
    for (let f = 0; f < fieldCount; f++) totals[f] += packed.fieldLength[i * fieldCount + f];
  }
  ix._documentIds = documentIds.asMap();
  const count = n - dropped.size;
  ix._documentCount = count;
  ix._nextId = packed.nextId;
  ix._avgFieldLength =
    dropped.size === 0 ? [...packed.avgFieldLength] : totals.map((t) => (count > 0 ? t / count : 0));
  ix._dirtCount = 0;
  const terms = packed.terms === '' ? [] : packed.terms.split('\n');
  const { counts, postDocs, postTf } = packed;
  // Documents left out, by short id (a typed array: checked for every posting).
  let gone: Uint8Array | null = null;
  if (dropped.size > 0) {
    gone = new Uint8Array(packed.nextId);
    for (const short of dropped) gone[short] = 1;
  }
  let p = 0;
  for (let t = 0; t < terms.length; t++) {
    const data: Postings = new Map();
    for (let f = 0; f < fieldCount; f++) {
      const end = p + counts[t * fieldCount + f];
      if (end === p) continue;
      let docs = postDocs.subarray(p, end);
      let tfs = postTf.subarray(p, end);
      if (gone && docs.some((d) => gone[d] === 1)) {
        const kept = Uint32Array.from(docs.keys()).filter((i) => gone[docs[i]] !== 1);
        docs = kept.map((i) => docs[i]);
        tfs = Uint16Array.from(kept, (i) => tfs[i]);
      }
      p = end;
      if (docs.length > 0) data.set(f, new PackedPostings(docs, tfs).asMap());
    }
    if (data.size > 0) ix._index.set(terms[t], data);
  }
  return { mini, dropped: dropped.size };
}
