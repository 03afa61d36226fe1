/** The file index in SQLite: one row per uploaded file, pointing at its bytes by content hash. */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import { type FileDbRow, toFile, foundAs } from './rows.js';
import type { FileIndex } from './types.js';

export const FILES_SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  id TEXT PRIMARY KEY,
  discussion_id TEXT NOT NULL REFERENCES discussions(id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  hash TEXT NOT NULL,
  preview_hash TEXT,
  uploaded_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_discussion ON files(discussion_id);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE INDEX IF NOT EXISTS files_preview_hash ON files(preview_hash);
`;

export function sqliteFileIndex(db: Database.Database): FileIndex {
  db.exec(FILES_SCHEMA);
  const q = lazyStatements({
    insert: () =>
      db.prepare(
        'INSERT INTO files (id, discussion_id, name, type, size, hash, preview_hash, uploaded_by, created_at) VALUES (@id, @discussionId, @name, @type, @size, @hash, @previewHash, @uploadedBy, @createdAt)',
      ),
    byId: () => db.prepare<[string], FileDbRow>('SELECT * FROM files WHERE id = ?'),
    ofDiscussion: () =>
      db.prepare<[string], FileDbRow>('SELECT * FROM files WHERE discussion_id = ? ORDER BY created_at, id'),
    remove: () => db.prepare<[string]>('DELETE FROM files WHERE id = ?'),
    // Bytes are shared by content: a preview could even equal another file's bytes.
    used: () =>
      db.prepare<[string, string], { n: number }>(
        'SELECT COUNT(*) AS n FROM files WHERE hash = ? OR preview_hash = ?',
      ),
  });
  const removeTx = db.transaction((ids: string[]) => {
    const hashes = new Set<string>();
    for (const id of ids) {
      const row = q.byId.get(id);
      if (!row) continue;
      q.remove.run(id);
      hashes.add(row.hash);
      if (row.preview_hash) hashes.add(row.preview_hash);
    }
    return [...hashes].filter((h) => (q.used.get(h, h)?.n ?? 0) === 0);
  });
  return {
    async insert(file) {
      q.insert.run(file);
    },
    async byId(id) {
      return foundAs(q.byId.get(id), toFile);
    },
    async ofDiscussion(discussionId) {
      return q.ofDiscussion.all(discussionId).map(toFile);
    },
    async remove(ids) {
      return ids.length === 0 ? [] : removeTx(ids);
    },
  };
}
