/**
 * One search setup measured in a fresh process (`node --expose-gc`), printing one JSON line:
 *
 *   naive    MiniSearch with default options over the messages' text, whole index rebuilt and
 *            saved as one JSON for every change (what "just use MiniSearch" gives)
 *   palabre  shared/src/search: French processing, one index with per-discussion units,
 *            incremental changes, seq-based persistence (snapshot + one record per discussion),
 *            persisted as IndexedDB stores it: a structured clone (v8.serialize is the same
 *            serializer Chromium's IndexedDB uses), so typed arrays are raw bytes
 *
 * Both take the same generated corpus and answer the same queries in the same process order.
 */
import { deserialize, serialize } from 'node:v8';
import MiniSearch from 'minisearch';
import { SearchIndex, type SnapshotRecord, type UnitRecord } from '@palabre/shared/search/index';
import { generateCorpus, rng, type Corpus } from './corpus.js';

export interface QueryStats {
  kind: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** Queries that found at least one message. */
  found: number;
  queries: number;
  /** The same queries in this process's CPU time (not inflated by waiting for a busy core). */
  cpuP50: number;
  cpuP99: number;
}

export interface SetupResult {
  setup: 'naive' | 'palabre';
  messages: number;
  /** Distinct word forms of the corpus vocabulary. */
  vocabulary: number;
  buildMs: number;
  heapMiB: number;
  persistedMiB: number;
  coldLoadMs: number;
  /** The cold load in this process's CPU time (all its threads: the GC's helpers count too). */
  coldLoadCpuMs: number;
  /** Palabre: messages indexed at cold start (changes after the snapshot). */
  replayed: number;
  /**
   * Palabre: what the cold load leaves for right after it (MiniSearch's map by message id,
   * which the worker builds in a task of its own once queries run), in wall-clock time.
   */
  deferredMs: number;
  newMessage: { p50: number; p99: number; saveP50: number };
  queries: QueryStats[];
}

const gc = () => {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
};
const heap = () => process.memoryUsage().heapUsed;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
/**
 * Wall time; with SEARCH_BENCH_CPU=1, this process's CPU time instead (user + system), to
 * compare two versions on a machine busy with other work (never what the report shows).
 */
const cpu = process.env.SEARCH_BENCH_CPU === '1';
/** CPU time of this process (all threads) spent in fn, in ms. */
const cpuTime = (fn: () => void) => {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const time = (fn: () => void) => {
  if (cpu) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  }
  const t = performance.now();
  fn();
  return performance.now() - t;
};

interface QuerySpec {
  kind: string;
  text: string;
  /** For filtered queries. */
  filter?: { author?: string; discussion?: string; after?: number; hasFile?: boolean };
}

/** The same queries for both setups: words at every Zipf rank, prefixes, typos, pairs, filters. */
function querySet(corpus: Corpus): QuerySpec[] {
  const random = rng(99);
  const content = corpus.vocabulary.filter((w) => w.length >= 5 && !/['’]/.test(w));
  const head = content.slice(0, 400);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const all = [...corpus.messages.values()].flat();
  const out: QuerySpec[] = [];
  for (let i = 0; i < 40; i++) {
    const word = pick(i % 2 ? head : content);
    out.push({ kind: 'one word', text: word });
    out.push({ kind: 'prefix', text: word.slice(0, 3 + (i % 3)) });
    const at = 1 + Math.floor(random() * (word.length - 2));
    const typo = word.slice(0, at) + (word[at] === 'e' ? 'a' : 'e') + word.slice(at + 1);
    out.push({ kind: 'fuzzy', text: typo });
    const m = pick(all);
    const words = m.text
      .split(/[\s.?]+/)
      .filter((w) => w.length >= 5 && !/['’]/.test(w))
      .slice(0, 2);
    if (words.length === 2) out.push({ kind: 'multi-word', text: words.join(' ') });
    const d = pick(corpus.discussions);
    const filters: QuerySpec['filter'][] = [
      { author: pick(corpus.authors) },
      { discussion: d.id },
      { after: all[Math.floor(all.length * 0.9)].ts },
      { hasFile: true },
    ];
    out.push({ kind: 'filtered', text: word, filter: filters[i % filters.length] });
  }
  return out;
}

function summarize(
  kind: string,
  samples: number[],
  cpuSamples: number[],
  found: number,
  queries: number,
): QueryStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const cpuSorted = [...cpuSamples].sort((a, b) => a - b);
  return {
    kind,
    samples: sorted.length,
    p50: pct(sorted, 0.5),
    p99: pct(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    found,
    queries,
    cpuP50: pct(cpuSorted, 0.5),
    cpuP99: pct(cpuSorted, 0.99),
  };
}

function runQueries(specs: QuerySpec[], run: (q: QuerySpec) => number, rounds = 5): QueryStats[] {
  const byKind = new Map<string, { samples: number[]; cpu: number[]; found: number; queries: number }>();
  for (const q of specs) run(q); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const q of specs) {
      const entry = byKind.get(q.kind) ?? { samples: [], cpu: [], found: 0, queries: 0 };
      byKind.set(q.kind, entry);
      let n = 0;
      entry.samples.push(time(() => (n = run(q))));
      // The same query again, timed in CPU time.
      entry.cpu.push(cpuTime(() => run(q)));
      if (r === 0) {
        entry.queries++;
        if (n > 0) entry.found++;
      }
    }
  }
  return [...byKind].map(([kind, e]) => summarize(kind, e.samples, e.cpu, e.found, e.queries));
}

function naive(corpus: Corpus): SetupResult {
  const docs = [...corpus.messages.values()].flat().map((m) => ({ id: m.id, text: m.text }));
  gc();
  const before = heap();
  let index = new MiniSearch({ fields: ['text'] });
  const buildMs = time(() => index.addAll(docs));
  let json = '';
  time(() => (json = JSON.stringify(index)));
  // One new message: the whole index rebuilt and saved again.
  const extra = { id: 'new-message', text: 'Nouvelle réunion budget prévue demain' };
  const newMs = time(() => {
    const rebuilt = new MiniSearch({ fields: ['text'] });
    rebuilt.addAll([...docs, extra]);
    json = JSON.stringify(rebuilt);
  });
  index = null as unknown as MiniSearch;
  gc();
  const base = heap();
  let loaded: MiniSearch | null = null;
  const cpuBefore = process.cpuUsage();
  const coldLoadMs = time(() => (loaded = MiniSearch.loadJSON(json, { fields: ['text'] })));
  const cpuUsed = process.cpuUsage(cpuBefore);
  const coldLoadCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  gc();
  const heapMiB = (heap() - base) / 2 ** 20;
  void before;
  const meta = new Map(
    [...corpus.messages].flatMap(([d, list]) => list.map((m) => [m.id, { ...m, discussion: d }] as const)),
  );
  const queries = runQueries(querySet(corpus), (q) => {
    const opts =
      q.kind === 'prefix'
        ? { prefix: true }
        : q.kind === 'fuzzy'
          ? { fuzzy: 0.2 }
          : q.kind === 'multi-word'
            ? { combineWith: 'AND' }
            : {};
    const f = q.filter;
    const filter = f
      ? (r: { id: string }) => {
          const m = meta.get(r.id)!;
          return (
            (!f.author || m.author === f.author) &&
            (!f.discussion || m.discussion === f.discussion) &&
            (!f.after || m.ts >= f.after) &&
            (!f.hasFile || (m.files?.length ?? 0) > 0)
          );
        }
      : undefined;
    return loaded!.search(q.text, { ...opts, filter } as never).length;
  });
  return {
    setup: 'naive',
    messages: corpus.count,
    vocabulary: corpus.vocabulary.length,
    buildMs,
    heapMiB,
    persistedMiB: json.length / 2 ** 20,
    coldLoadMs,
    coldLoadCpuMs,
    replayed: corpus.count,
    deferredMs: 0,
    newMessage: { p50: newMs, p99: newMs, saveP50: 0 },
    queries,
  };
}

function palabre(corpus: Corpus): SetupResult {
  let index: SearchIndex | null = new SearchIndex();
  const buildMs = time(() => {
    for (const [id, list] of corpus.messages) {
      // One pinned message in a hundred.
      index!.replace(
        id,
        list,
        list.filter((_, i) => i % 100 === 7).map((m) => m.id),
      );
    }
  });
  const snapshot = serialize(index.snapshot());
  index.snapshotStored(deserialize(snapshot) as SnapshotRecord);
  // One new message: the index takes it in; its discussion's record is saved (debounced in the app).
  const random = rng(5);
  const takeIn: number[] = [];
  const save: number[] = [];
  for (let i = 0; i < 200; i++) {
    const d = corpus.discussions[Math.floor(random() * corpus.discussions.length)];
    const m = {
      id: `new${i}`,
      author: d.members[0],
      text: `Nouvelle réunion budget numéro ${i} prévue demain`,
      ts: Date.now() + i,
    };
    takeIn.push(time(() => index!.apply(d.id, { upserts: [m] })));
    save.push(time(() => serialize(index!.unit(d.id).toRecord())));
  }
  const units = [...index.units.values()].map((u) => serialize(u.toRecord()));
  const persisted = snapshot.length + units.reduce((n, s) => n + s.length, 0);
  index = null;
  gc();
  const base = heap();
  let restored: SearchIndex | null = null;
  let replayed = 0;
  const cpuBefore = process.cpuUsage();
  const coldLoadMs = time(() => {
    const r = SearchIndex.restore(
      deserialize(snapshot) as SnapshotRecord,
      units.map((s) => deserialize(s) as UnitRecord),
    );
    restored = r.index;
    replayed = r.indexed;
  });
  const cpuUsed = process.cpuUsage(cpuBefore);
  const coldLoadCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  const deferredMs = time(() => restored!.warm());
  gc();
  const heapMiB = (heap() - base) / 2 ** 20;
  const now = Date.now();
  const queries = runQueries(querySet(corpus), (q) => {
    const f = q.filter;
    return restored!.search({
      text: q.text,
      now,
      limit: 30,
      filters: f
        ? {
            authors: f.author ? new Set([f.author]) : undefined,
            discussions: f.discussion ? new Set([f.discussion]) : undefined,
            after: f.after ?? null,
            hasFile: f.hasFile,
          }
        : undefined,
    }).length;
  });
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return {
    setup: 'palabre',
    messages: corpus.count,
    vocabulary: corpus.vocabulary.length,
    buildMs,
    heapMiB,
    persistedMiB: persisted / 2 ** 20,
    coldLoadMs,
    coldLoadCpuMs,
    replayed,
    deferredMs,
    newMessage: {
      p50: pct(sorted(takeIn), 0.5),
      p99: pct(sorted(takeIn), 0.99),
      saveP50: pct(sorted(save), 0.5),
    },
    queries,
  };
}

const [setup, count] = process.argv.slice(2);
const corpus = generateCorpus(Number(count) || 100_000);
const result = setup === 'naive' ? naive(corpus) : palabre(corpus);
process.stdout.write(`${JSON.stringify(result)}\n`);
