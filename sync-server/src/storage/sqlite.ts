/**
 * SQLite storage (the embedded default): one file in DATA_DIR, WAL journal.
 * synchronous=NORMAL in WAL mode makes every commit survive a crash of the process (kill -9);
 * PALABRE_SQLITE_SYNC=FULL also survives a power cut, at the cost of an fsync per update.
 */
import Database from 'better-sqlite3';
import { sqliteFileIndex } from './sqlite-files.js';
import type {
  AuditRow,
  Directory,
  DiscussionRow,
  DocStore,
  MemberRow,
  SessionRow,
  Storage,
  UserRow,
} from './types.js';

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

interface UserDbRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: number;
}
interface DiscussionDbRow {
  id: string;
  kind: string;
  title: string | null;
  created_by: string;
  created_at: number;
  direct_key: string | null;
  last_activity_at: number;
  last_message_author: string | null;
  last_message_preview: string | null;
  last_message_ts: number | null;
}

interface SessionDbRow {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  label: string | null;
  last_seen_at: number | null;
  user_agent: string | null;
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
interface AuditDbRow {
  id: number;
  at: number;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  details: string;
}

const toSession = (r: SessionDbRow): SessionRow => ({
  id: r.id,
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  label: r.label,
  lastSeenAt: r.last_seen_at ?? r.created_at,
  userAgent: r.user_agent,
});

const toUser = (r: UserDbRow): UserRow => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role as UserRow['role'],
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

const toDiscussion = (r: DiscussionDbRow): DiscussionRow => ({
  id: r.id,
  kind: r.kind as DiscussionRow['kind'],
  title: r.title,
  createdBy: r.created_by,
  createdAt: r.created_at,
  directKey: r.direct_key,
  lastActivityAt: r.last_activity_at,
  lastMessage:
    r.last_message_author !== null && r.last_message_ts !== null
      ? { author: r.last_message_author, preview: r.last_message_preview ?? '', ts: r.last_message_ts }
      : null,
});

export function openSqlite(file: string, sync: 'NORMAL' | 'FULL' = 'NORMAL'): Storage {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted means gone: freed pages and cells are zeroed, so a compacted-away update (holding
  // the text of a deleted message) leaves no bytes in the file (see compact below).
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
  migrateSessions(db);

  const q = {
    loadDoc: db.prepare<[string], { seq: number; data: Buffer }>(
      'SELECT seq, data FROM doc_updates WHERE doc_id = ? ORDER BY seq',
    ),
    append: db.prepare<[string, Buffer]>('INSERT INTO doc_updates (doc_id, data) VALUES (?, ?)'),
    deleteUpTo: db.prepare<[string, number]>('DELETE FROM doc_updates WHERE doc_id = ? AND seq <= ?'),
    insertAt: db.prepare<[number, string, Buffer]>(
      'INSERT INTO doc_updates (seq, doc_id, data) VALUES (?, ?, ?)',
    ),
    version: db.prepare<[string], { v: number | null }>(
      'SELECT MAX(seq) AS v FROM doc_updates WHERE doc_id = ?',
    ),
    removeDoc: db.prepare<[string]>('DELETE FROM doc_updates WHERE doc_id = ?'),

    countUsers: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
    insertUser: db.prepare(
      'INSERT INTO users (id, username, display_name, password_hash, role, disabled, created_at) VALUES (@id, @username, @displayName, @passwordHash, @role, @disabled, @createdAt)',
    ),
    userById: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE id = ?'),
    userByUsername: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE username = ?'),
    listUsers: db.prepare<[], UserDbRow>('SELECT * FROM users ORDER BY display_name COLLATE NOCASE'),

    insertSession: db.prepare(
      'INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, label, last_seen_at, user_agent) VALUES (@id, @tokenHash, @userId, @createdAt, @expiresAt, @label, @lastSeenAt, @userAgent)',
    ),
    allApiTokens: db.prepare<[], SessionDbRow>(
      'SELECT * FROM sessions WHERE label IS NOT NULL ORDER BY created_at',
    ),
    browserSessionsOf: db.prepare<[string], SessionDbRow>(
      'SELECT * FROM sessions WHERE user_id = ? AND label IS NULL ORDER BY last_seen_at DESC',
    ),
    sessionById: db.prepare<[string], SessionDbRow>('SELECT * FROM sessions WHERE id = ?'),
    touchSession: db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?'),
    session: db.prepare<[string], SessionDbRow>('SELECT * FROM sessions WHERE token_hash = ?'),
    apiTokensOf: db.prepare<[string], SessionDbRow>(
      'SELECT * FROM sessions WHERE user_id = ? AND label IS NOT NULL ORDER BY created_at',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteSessionsOf: db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),

    insertDiscussion: db.prepare(
      'INSERT INTO discussions (id, kind, title, created_by, created_at, direct_key, last_activity_at) VALUES (@id, @kind, @title, @createdBy, @createdAt, @directKey, @lastActivityAt)',
    ),
    insertMember: db.prepare(
      'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES (@discussionId, @userId, @role, @addedAt)',
    ),
    discussionById: db.prepare<[string], DiscussionDbRow>('SELECT * FROM discussions WHERE id = ?'),
    discussionByDirectKey: db.prepare<[string], DiscussionDbRow>(
      'SELECT * FROM discussions WHERE direct_key = ?',
    ),
    discussionsOf: db.prepare<[string], DiscussionDbRow>(
      'SELECT d.* FROM discussions d JOIN discussion_members m ON m.discussion_id = d.id WHERE m.user_id = ? ORDER BY d.last_activity_at DESC',
    ),
    membersOf: db.prepare<
      [string],
      { discussion_id: string; user_id: string; role: string; added_at: number }
    >('SELECT * FROM discussion_members WHERE discussion_id = ? ORDER BY added_at, user_id'),
    memberRole: db.prepare<[string, string], { role: string }>(
      'SELECT role FROM discussion_members WHERE discussion_id = ? AND user_id = ?',
    ),
    listDiscussions: db.prepare<[], DiscussionDbRow>(
      'SELECT * FROM discussions ORDER BY last_activity_at DESC',
    ),
    upsertMember: db.prepare(
      'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES (@discussionId, @userId, @role, @addedAt) ON CONFLICT (discussion_id, user_id) DO UPDATE SET role = excluded.role',
    ),
    removeMember: db.prepare<[string, string]>(
      'DELETE FROM discussion_members WHERE discussion_id = ? AND user_id = ?',
    ),
    appendAudit: db.prepare(
      'INSERT INTO audit_log (at, actor_id, action, target_type, target_id, details) VALUES (@at, @actorId, @action, @targetType, @targetId, @details)',
    ),
    listAudit: db.prepare<[number, number], AuditDbRow>(
      'SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?',
    ),
    setTitle: db.prepare<[string | null, string]>('UPDATE discussions SET title = ? WHERE id = ?'),
    setLast: db.prepare<[string | null, string | null, number | null, number, string]>(
      'UPDATE discussions SET last_message_author = ?, last_message_preview = ?, last_message_ts = ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ?',
    ),
  };

  const setLastTx = db.transaction(
    (
      entries: {
        discussionId: string;
        lastMessage: { author: string; preview: string; ts: number } | null;
        activityAt: number;
      }[],
    ) => {
      for (const e of entries)
        q.setLast.run(
          e.lastMessage?.author ?? null,
          e.lastMessage?.preview ?? null,
          e.lastMessage?.ts ?? null,
          e.activityAt,
          e.discussionId,
        );
    },
  );
  const compactTx = db.transaction((docId: string, snapshot: Uint8Array, upToSeq: number) => {
    q.deleteUpTo.run(docId, upToSeq);
    q.insertAt.run(upToSeq, docId, Buffer.from(snapshot));
  });
  const insertDiscussionTx = db.transaction((d: DiscussionRow, members: MemberRow[]) => {
    q.insertDiscussion.run({
      id: d.id,
      kind: d.kind,
      title: d.title,
      createdBy: d.createdBy,
      createdAt: d.createdAt,
      directKey: d.directKey,
      lastActivityAt: d.lastActivityAt,
    });
    for (const m of members) q.insertMember.run(m);
  });

  const docs: DocStore = {
    async load(docId) {
      const rows = q.loadDoc.all(docId);
      return {
        updates: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
        lastSeq: rows.at(-1)?.seq ?? 0,
      };
    },
    async append(docId, update) {
      return Number(
        q.append.run(docId, Buffer.from(update.buffer, update.byteOffset, update.byteLength)).lastInsertRowid,
      );
    },
    async compact(docId, snapshot, upToSeq) {
      compactTx(docId, snapshot, upToSeq);
      // The WAL still holds the old pages until it is checkpointed and cut to zero bytes.
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async version(docId) {
      return q.version.get(docId)?.v ?? 0;
    },
    async remove(docId) {
      q.removeDoc.run(docId);
    },
  };

  const directory: Directory = {
    async countUsers() {
      return q.countUsers.get()?.n ?? 0;
    },
    async insertUser(user) {
      q.insertUser.run({ ...user, disabled: user.disabled ? 1 : 0 });
    },
    async userById(id) {
      const r = q.userById.get(id);
      return r ? toUser(r) : null;
    },
    async userByUsername(username) {
      const r = q.userByUsername.get(username);
      return r ? toUser(r) : null;
    },
    async listUsers() {
      return q.listUsers.all().map(toUser);
    },
    async updateUser(id, patch) {
      const columns: Record<string, string> = {
        displayName: 'display_name',
        passwordHash: 'password_hash',
        role: 'role',
        disabled: 'disabled',
      };
      const entries = Object.entries(patch).filter(([k, v]) => v !== undefined && k in columns);
      if (entries.length === 0) return;
      const sql = `UPDATE users SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`;
      db.prepare(sql).run(...entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)), id);
    },
    async insertSession(session: SessionRow) {
      q.insertSession.run(session);
    },
    async sessionByTokenHash(tokenHash) {
      const r = q.session.get(tokenHash);
      return r ? toSession(r) : null;
    },
    async apiTokensOf(userId) {
      return q.apiTokensOf.all(userId).map(toSession);
    },
    async allApiTokens() {
      return q.allApiTokens.all().map(toSession);
    },
    async browserSessionsOf(userId) {
      return q.browserSessionsOf.all(userId).map(toSession);
    },
    async sessionById(id) {
      const r = q.sessionById.get(id);
      return r ? toSession(r) : null;
    },
    async touchSession(tokenHash, at) {
      q.touchSession.run(at, tokenHash);
    },
    async deleteSession(tokenHash) {
      q.deleteSession.run(tokenHash);
    },
    async deleteSessionsOf(userId) {
      q.deleteSessionsOf.run(userId);
    },
    async insertDiscussion(discussion, members) {
      insertDiscussionTx(discussion, members);
    },
    async discussionById(id) {
      const r = q.discussionById.get(id);
      return r ? toDiscussion(r) : null;
    },
    async discussionByDirectKey(key) {
      const r = q.discussionByDirectKey.get(key);
      return r ? toDiscussion(r) : null;
    },
    async discussionsOf(userId) {
      return q.discussionsOf.all(userId).map(toDiscussion);
    },
    async membersOf(discussionId) {
      return q.membersOf.all(discussionId).map((r) => ({
        discussionId: r.discussion_id,
        userId: r.user_id,
        role: r.role as MemberRow['role'],
        addedAt: r.added_at,
      }));
    },
    async memberRole(discussionId, userId) {
      return (q.memberRole.get(discussionId, userId)?.role as MemberRow['role'] | undefined) ?? null;
    },
    async listDiscussions() {
      return q.listDiscussions.all().map(toDiscussion);
    },
    async upsertMember(member) {
      q.upsertMember.run(member);
    },
    async removeMember(discussionId, userId) {
      q.removeMember.run(discussionId, userId);
    },
    async setLastMessages(entries) {
      if (entries.length > 0) setLastTx(entries);
    },
    async appendAudit(entry) {
      q.appendAudit.run({ ...entry, details: JSON.stringify(entry.details) });
    },
    async listAudit({ limit, before }) {
      return q.listAudit.all(before ?? Number.MAX_SAFE_INTEGER, limit).map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        action: r.action,
        targetType: r.target_type as AuditRow['targetType'],
        targetId: r.target_id,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
    async setTitle(discussionId, title) {
      q.setTitle.run(title, discussionId);
    },
    async setLastMessage(discussionId, last, activityAt) {
      q.setLast.run(last.author, last.preview, last.ts, activityAt, discussionId);
    },
  };

  return {
    docs,
    directory,
    files: sqliteFileIndex(db),
    async close() {
      db.close();
    },
  };
}
