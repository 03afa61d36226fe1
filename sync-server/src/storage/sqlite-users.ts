/** The users and sessions (browser sessions and API tokens) of the Directory, in SQLite. */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import { type SessionDbRow, type UserDbRow, toSession, toUser, foundAs } from './rows.js';
import type { Directory, SessionRow } from './types.js';

/** The user columns updateUser may change, by field name. */
const USER_COLUMNS: Record<string, string> = {
  displayName: 'display_name',
  passwordHash: 'password_hash',
  role: 'role',
  disabled: 'disabled',
};

export function sqliteUsers(db: Database.Database) {
  const q = lazyStatements({
    countUsers: () => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
    insertUser: () =>
      db.prepare(
        'INSERT INTO users (id, username, display_name, password_hash, role, disabled, created_at) VALUES (@id, @username, @displayName, @passwordHash, @role, @disabled, @createdAt)',
      ),
    userById: () => db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE id = ?'),
    userByUsername: () => db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE username = ?'),
    listUsers: () => db.prepare<[], UserDbRow>('SELECT * FROM users ORDER BY display_name COLLATE NOCASE'),
  });

  return {
    async countUsers() {
      return q.countUsers.get()?.n ?? 0;
    },
    async insertUser(user) {
      q.insertUser.run({ ...user, disabled: user.disabled ? 1 : 0 });
    },
    async userById(id) {
      return foundAs(q.userById.get(id), toUser);
    },
    async userByUsername(username) {
      return foundAs(q.userByUsername.get(username), toUser);
    },
    async listUsers() {
      return q.listUsers.all().map(toUser);
    },
    async updateUser(id, patch) {
      const entries = Object.entries(patch).filter(([k, v]) => v !== undefined && k in USER_COLUMNS);
      if (entries.length === 0) return;
      const sql = `UPDATE users SET ${entries.map(([k]) => `${USER_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`;
      db.prepare(sql).run(...entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)), id);
    },
  } satisfies Partial<Directory>;
}

export function sqliteSessions(db: Database.Database) {
  const q = lazyStatements({
    insert: () =>
      db.prepare(
        'INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, label, last_seen_at, user_agent) VALUES (@id, @tokenHash, @userId, @createdAt, @expiresAt, @label, @lastSeenAt, @userAgent)',
      ),
    byTokenHash: () => db.prepare<[string], SessionDbRow>('SELECT * FROM sessions WHERE token_hash = ?'),
    byId: () => db.prepare<[string], SessionDbRow>('SELECT * FROM sessions WHERE id = ?'),
    apiTokensOf: () =>
      db.prepare<[string], SessionDbRow>(
        'SELECT * FROM sessions WHERE user_id = ? AND label IS NOT NULL ORDER BY created_at',
      ),
    allApiTokens: () =>
      db.prepare<[], SessionDbRow>('SELECT * FROM sessions WHERE label IS NOT NULL ORDER BY created_at'),
    browserSessionsOf: () =>
      db.prepare<[string], SessionDbRow>(
        'SELECT * FROM sessions WHERE user_id = ? AND label IS NULL ORDER BY last_seen_at DESC',
      ),
    touch: () => db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?'),
    delete: () => db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteOf: () => db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),
  });

  return {
    async insertSession(session: SessionRow) {
      q.insert.run(session);
    },
    async sessionByTokenHash(tokenHash) {
      return foundAs(q.byTokenHash.get(tokenHash), toSession);
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
      return foundAs(q.byId.get(id), toSession);
    },
    async touchSession(tokenHash, at) {
      q.touch.run(at, tokenHash);
    },
    async deleteSession(tokenHash) {
      q.delete.run(tokenHash);
    },
    async deleteSessionsOf(userId) {
      q.deleteOf.run(userId);
    },
  } satisfies Partial<Directory>;
}
