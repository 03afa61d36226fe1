/** DocStore in memory: for unit tests of the sync layer and as the reference for the contract suite. */
import type { DocStore } from './types.js';

export function createMemoryDocStore(): DocStore {
  const docs = new Map<string, { seq: number; data: Uint8Array }[]>();
  let seq = 0;
  return {
    async load(docId) {
      const rows = docs.get(docId) ?? [];
      return {
        updates: rows.map((r) => r.data),
        lastSeq: rows.at(-1)?.seq ?? 0,
        rows: rows.map((r) => String(r.seq)),
      };
    },
    async append(docId, update) {
      const rows = docs.get(docId) ?? [];
      rows.push({ seq: ++seq, data: update.slice() });
      docs.set(docId, rows);
      return seq;
    },
    async compact(docId, snapshot, upToSeq) {
      const rows = docs.get(docId) ?? [];
      const kept = rows.filter((r) => r.seq > upToSeq);
      docs.set(docId, [{ seq: upToSeq, data: snapshot.slice() }, ...kept]);
      return { row: String(upToSeq), missed: [] };
    },
    async version(docId) {
      return docs.get(docId)?.at(-1)?.seq ?? 0;
    },
    async remove(docId) {
      docs.delete(docId);
    },
  };
}
