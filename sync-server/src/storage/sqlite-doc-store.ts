/** DocStore in SQLite: each document's updates as rows of doc_updates, compacted into one snapshot. */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import { walTruncator } from './sqlite-wal.js';
import type { DocStore } from './types.js';

export function sqliteDocStore(db: Database.Database): DocStore {
  const q = lazyStatements({
    load: () =>
      db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE doc_id = ? ORDER BY seq',
      ),
    append: () => db.prepare<[string, Buffer]>('INSERT INTO doc_updates (doc_id, data) VALUES (?, ?)'),
    deleteUpTo: () => db.prepare<[string, number]>('DELETE FROM doc_updates WHERE doc_id = ? AND seq <= ?'),
    insertAt: () =>
      db.prepare<[number, string, Buffer]>('INSERT INTO doc_updates (seq, doc_id, data) VALUES (?, ?, ?)'),
    version: () =>
      db.prepare<[string], { v: number | null }>('SELECT MAX(seq) AS v FROM doc_updates WHERE doc_id = ?'),
    remove: () => db.prepare<[string]>('DELETE FROM doc_updates WHERE doc_id = ?'),
  });
  const wal = walTruncator(db);
  const compactTx = db.transaction((docId: string, snapshot: Uint8Array, upToSeq: number) => {
    q.deleteUpTo.run(docId, upToSeq);
    q.insertAt.run(upToSeq, docId, Buffer.from(snapshot));
  });

  return {
    async load(docId) {
      const rows = q.load.all(docId);
      return {
        updates: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
        lastSeq: rows.at(-1)?.seq ?? 0,
        rows: rows.map((r) => String(r.seq)),
      };
    },
    async append(docId, update) {
      return Number(
        q.append.run(docId, Buffer.from(update.buffer, update.byteOffset, update.byteLength)).lastInsertRowid,
      );
    },
    async compact(docId, snapshot, upToSeq) {
      compactTx(docId, snapshot, upToSeq);
      // The WAL still holds the old pages until it is checkpointed and cut to zero bytes; never
      // waiting for a reader (a backup) to let go, see sqlite-wal.ts.
      wal.truncate();
      return { row: String(upToSeq), missed: [] };
    },
    async version(docId) {
      return q.version.get(docId)?.v ?? 0;
    },
    async remove(docId) {
      q.remove.run(docId);
    },
  };
}
