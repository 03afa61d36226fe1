/**
 * Palabre's schema on PostgreSQL, first version: the same tables as the SQLite file
 * (storage/sqlite.ts), plus file bytes kept in chunks (blobs, blob_chunks). Run by
 * node-pg-migrate when a node starts (storage/postgres.ts); later changes are new files here.
 */
export const up = (pgm) => {
  pgm.sql(`
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  label TEXT,
  last_seen_at BIGINT NOT NULL,
  user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE discussions (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  direct_key TEXT UNIQUE,
  last_activity_at BIGINT NOT NULL,
  last_message_author TEXT,
  last_message_preview TEXT,
  last_message_ts BIGINT
);
CREATE TABLE discussion_members (
  discussion_id TEXT NOT NULL REFERENCES discussions(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (discussion_id, user_id)
);
CREATE INDEX members_user ON discussion_members(user_id);
CREATE TABLE doc_updates (
  seq BIGSERIAL PRIMARY KEY,
  doc_id TEXT NOT NULL,
  data BYTEA NOT NULL
);
CREATE INDEX doc_updates_doc ON doc_updates(doc_id, seq);
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  details JSONB NOT NULL
);
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  discussion_id TEXT NOT NULL REFERENCES discussions(id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  size BIGINT NOT NULL,
  hash TEXT NOT NULL,
  preview_hash TEXT,
  uploaded_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX files_discussion ON files(discussion_id);
CREATE INDEX files_hash ON files(hash);
CREATE INDEX files_preview_hash ON files(preview_hash);
CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  size BIGINT NOT NULL
);
CREATE TABLE blob_chunks (
  blob TEXT NOT NULL,
  n INTEGER NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (blob, n)
);
`);
};

export const down = (pgm) => {
  pgm.sql(
    'DROP TABLE blob_chunks, blobs, files, audit_log, doc_updates, discussion_members, discussions, sessions, users',
  );
};
