/**
 * SQLite storage (the embedded default): one file in DATA_DIR, WAL journal (see sqlite-schema.ts
 * for its pragmas and tables). Each part of Storage is built over the same connection, in its
 * own file: sqlite-doc-store.ts, sqlite-users.ts (users, sessions), sqlite-discussions.ts,
 * sqlite-audit.ts, sqlite-files.ts; rows.ts maps rows (SQLite's and PostgreSQL's) to the types of types.ts.
 */
import { sqliteAudit } from './sqlite-audit.js';
import { sqliteDiscussions } from './sqlite-discussions.js';
import { sqliteDocStore } from './sqlite-doc-store.js';
import { sqliteFileIndex } from './sqlite-files.js';
import { sqliteRetention } from './sqlite-retention.js';
import { openDatabase } from './sqlite-schema.js';
import { sqliteSessions, sqliteUsers } from './sqlite-users.js';
import { walTruncator } from './sqlite-wal.js';
import type { Directory, Storage } from './types.js';

export function openSqlite(file: string, sync: 'NORMAL' | 'FULL' = 'NORMAL'): Storage {
  const db = openDatabase(file, sync);
  const directory: Directory = {
    ...sqliteUsers(db),
    ...sqliteSessions(db),
    ...sqliteDiscussions(db),
    ...sqliteAudit(db),
    ...sqliteRetention(db),
  };
  const wal = walTruncator(db);
  return {
    docs: sqliteDocStore(db),
    directory,
    files: sqliteFileIndex(db),
    async scrub() {
      // secure_delete zeroed freed pages; rows rewritten in place (a sidebar preview) still have
      // their old page in the database file until the WAL is checkpointed, then cut to zero bytes
      // (never waiting for a reader such as a backup: retried until it can, see sqlite-wal.ts).
      wal.truncate();
    },
    async close() {
      db.close();
    },
  };
}
