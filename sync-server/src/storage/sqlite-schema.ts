/**
 * The SQLite file: its pragmas, its tables, and the columns added in place after the first release.
 * synchronous=NORMAL in WAL mode makes every commit survive a crash of the process (kill -9);
 * PALABRE_SQLITE_SYNC=FULL also survives a power cut, at the cost of an fsync per update.
 */
import Database from 'better-sqlite3';
import { migrateRetention } from './sqlite-retention.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  label TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS discussions (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  direct_key TEXT UNIQUE,
  last_activity_at INTEGER NOT NULL,
  last_message_author TEXT,
  last_message_preview TEXT,
  last_message_ts INTEGER
);
CREATE TABLE IF NOT EXISTS discussion_members (
  discussion_id TEXT NOT NULL REFERENCES discussions(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (discussion_id, user_id)
);
CREATE INDEX IF NOT EXISTS members_user ON discussion_members(user_id);
CREATE TABLE IF NOT EXISTS doc_updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_id TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_updates_doc ON doc_updates(doc_id, seq);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  details TEXT NOT NULL
);
`;

/** Open (or create) the database file, set its pragmas and bring its tables up to date. */
export function openDatabase(file: string, sync: 'NORMAL' | 'FULL'): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted means gone: freed pages and cells are zeroed, so a compacted-away update (holding
  // the text of a deleted message) leaves no bytes in the file (see the DocStore's compact).
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
  migrateSessions(db);
  migrateRetention(db);
  return db;
}

/** Columns added after the first release: added in place, existing rows get an id and a last use. */
function migrateSessions(db: Database.Database): void {
  const columns = new Set(
    (db.prepare('PRAGMA table_info(sessions)').all() as { name: string }[]).map((c) => c.name),
  );
  db.transaction(() => {
    if (!columns.has('id')) {
      db.exec('ALTER TABLE sessions ADD COLUMN id TEXT');
      db.exec('UPDATE sessions SET id = lower(hex(randomblob(10))) WHERE id IS NULL');
    }
    if (!columns.has('last_seen_at')) {
      db.exec('ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER');
      db.exec('UPDATE sessions SET last_seen_at = created_at');
    }
    if (!columns.has('user_agent')) db.exec('ALTER TABLE sessions ADD COLUMN user_agent TEXT');
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS sessions_id ON sessions(id)');
  })();
}
