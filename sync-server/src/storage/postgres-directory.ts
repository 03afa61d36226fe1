/** The Directory on PostgreSQL: the same rows and answers as storage/sqlite.ts (directory.contract.test.ts). */
import type pg from 'pg';
import type { RetentionPolicy } from '@palabre/shared';
import { DEFAULT_RETENTION } from './sqlite-retention.js';
import { transaction } from './pg-transaction.js';
import {
  type AuditDbRow,
  type DiscussionDbRow,
  foundAs,
  toAudit,
  toDiscussion,
  toSession,
  toUser,
} from './rows.js';
import type { Directory, MemberRow } from './types.js';

const SET_LASTS = `UPDATE discussions AS d SET last_message_author = v.author,
  last_message_preview = v.preview, last_message_ts = v.ts,
  last_activity_at = GREATEST(d.last_activity_at, v.activity_at)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
    AS v(id, author, preview, ts, activity_at)
  WHERE d.id = v.id`;

export function postgresDirectory(pool: pg.Pool): Directory {
  async function rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await pool.query<T>(sql, params)).rows;
  }
  async function one<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T | null> {
    return (await rows<T>(sql, params))[0] ?? null;
  }
  /** The rows `sql` finds, each mapped by `to`. */
  async function rowsAs<D extends pg.QueryResultRow, R>(
    to: (row: D) => R,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    return (await rows<D>(sql, params)).map(to);
  }
  /** The row `sql` finds, mapped by `to`; null when there is none. */
  async function oneAs<D extends pg.QueryResultRow, R>(
    to: (row: D) => R,
    sql: string,
    params: unknown[],
  ): Promise<R | null> {
    return foundAs(await one<D>(sql, params), to);
  }
  const inTransaction = (fn: (client: pg.PoolClient) => Promise<void>) => transaction(pool, fn);

  async function setLastMessages(entries: Parameters<Directory['setLastMessages']>[0]): Promise<void> {
    if (entries.length === 0) return;
    // One statement, so one round trip, however many discussions (a sidebar flush under load
    // has dozens). A discussion given twice ends as given twice one after the other would:
    // the later last message, the latest activity. Rows are listed in id order.
    const byId = new Map<string, (typeof entries)[number]>();
    for (const e of entries) {
      const earlier = byId.get(e.discussionId);
      byId.set(e.discussionId, { ...e, activityAt: Math.max(e.activityAt, earlier?.activityAt ?? 0) });
    }
    const rows = [...byId.values()].sort((a, b) => (a.discussionId < b.discussionId ? -1 : 1));
    await pool.query(SET_LASTS, [
      rows.map((e) => e.discussionId),
      rows.map((e) => e.lastMessage?.author ?? null),
      rows.map((e) => e.lastMessage?.preview ?? null),
      rows.map((e) => e.lastMessage?.ts ?? null),
      rows.map((e) => e.activityAt),
    ]);
  }

  return {
    async countUsers() {
      return (await one<{ n: number }>('SELECT COUNT(*)::int AS n FROM users', []))?.n ?? 0;
    },
    async insertUser(u) {
      await pool.query(
        'INSERT INTO users (id, username, display_name, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [u.id, u.username, u.displayName, u.passwordHash, u.role, u.disabled, u.createdAt],
      );
    },
    async userById(id) {
      return oneAs(toUser, 'SELECT * FROM users WHERE id = $1', [id]);
    },
    async userByUsername(username) {
      return oneAs(toUser, 'SELECT * FROM users WHERE username = $1', [username]);
    },
    async listUsers() {
      return rowsAs(toUser, 'SELECT * FROM users ORDER BY lower(display_name), id');
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
      const set = entries.map(([k], i) => `${columns[k]} = $${i + 1}`).join(', ');
      await pool.query(`UPDATE users SET ${set} WHERE id = $${entries.length + 1}`, [
        ...entries.map(([, v]) => v),
        id,
      ]);
    },

    async insertSession(s) {
      await pool.query(
        'INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, label, last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [s.id, s.tokenHash, s.userId, s.createdAt, s.expiresAt, s.label, s.lastSeenAt, s.userAgent],
      );
    },
    async sessionByTokenHash(tokenHash) {
      return oneAs(toSession, 'SELECT * FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    async deleteSession(tokenHash) {
      await pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    async deleteSessionsOf(userId) {
      await pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
    },
    async apiTokensOf(userId) {
      return rowsAs(
        toSession,
        'SELECT * FROM sessions WHERE user_id = $1 AND label IS NOT NULL ORDER BY created_at',
        [userId],
      );
    },
    async allApiTokens() {
      return rowsAs(toSession, 'SELECT * FROM sessions WHERE label IS NOT NULL ORDER BY created_at');
    },
    async browserSessionsOf(userId) {
      return rowsAs(
        toSession,
        'SELECT * FROM sessions WHERE user_id = $1 AND label IS NULL ORDER BY last_seen_at DESC',
        [userId],
      );
    },
    async sessionById(id) {
      return oneAs(toSession, 'SELECT * FROM sessions WHERE id = $1', [id]);
    },
    async touchSession(tokenHash, at) {
      await pool.query('UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2', [at, tokenHash]);
    },

    async insertDiscussion(d, members) {
      await inTransaction(async (client) => {
        await client.query(
          'INSERT INTO discussions (id, kind, title, created_by, created_at, direct_key, last_activity_at, archived_at, retention_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [
            d.id,
            d.kind,
            d.title,
            d.createdBy,
            d.createdAt,
            d.directKey,
            d.lastActivityAt,
            d.archivedAt,
            d.retentionDays,
          ],
        );
        for (const m of members)
          await client.query(
            'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)',
            [m.discussionId, m.userId, m.role, m.addedAt],
          );
      });
    },
    async discussionById(id) {
      return oneAs(toDiscussion, 'SELECT * FROM discussions WHERE id = $1', [id]);
    },
    async discussionByDirectKey(key) {
      return oneAs(toDiscussion, 'SELECT * FROM discussions WHERE direct_key = $1', [key]);
    },
    async discussionsOf(userId) {
      return rowsAs(
        toDiscussion,
        'SELECT d.* FROM discussions d JOIN discussion_members m ON m.discussion_id = d.id WHERE m.user_id = $1 ORDER BY d.last_activity_at DESC',
        [userId],
      );
    },
    async membersOf(discussionId) {
      return (
        await rows<{ discussion_id: string; user_id: string; role: string; added_at: number }>(
          'SELECT * FROM discussion_members WHERE discussion_id = $1 ORDER BY added_at, user_id',
          [discussionId],
        )
      ).map((r) => ({
        discussionId: r.discussion_id,
        userId: r.user_id,
        role: r.role as MemberRow['role'],
        addedAt: r.added_at,
      }));
    },
    async memberRole(discussionId, userId) {
      const r = await one<{ role: string }>(
        'SELECT role FROM discussion_members WHERE discussion_id = $1 AND user_id = $2',
        [discussionId, userId],
      );
      return (r?.role as MemberRow['role'] | undefined) ?? null;
    },
    async listDiscussions() {
      return (await rows<DiscussionDbRow>('SELECT * FROM discussions ORDER BY last_activity_at DESC')).map(
        toDiscussion,
      );
    },
    async upsertMember(m) {
      await pool.query(
        'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (discussion_id, user_id) DO UPDATE SET role = excluded.role',
        [m.discussionId, m.userId, m.role, m.addedAt],
      );
    },
    async removeMember(discussionId, userId) {
      await pool.query('DELETE FROM discussion_members WHERE discussion_id = $1 AND user_id = $2', [
        discussionId,
        userId,
      ]);
    },
    async setTitle(discussionId, title) {
      await pool.query('UPDATE discussions SET title = $1 WHERE id = $2', [title, discussionId]);
    },
    async setLastMessage(discussionId, last, activityAt) {
      await setLastMessages([{ discussionId, lastMessage: last, activityAt }]);
    },
    setLastMessages,

    async setArchived(discussionId, archivedAt) {
      await pool.query('UPDATE discussions SET archived_at = $1 WHERE id = $2', [archivedAt, discussionId]);
    },
    async setRetentionDays(discussionId, days) {
      await pool.query('UPDATE discussions SET retention_days = $1 WHERE id = $2', [days, discussionId]);
    },
    async retentionPolicy() {
      const row = await one<{ value: Partial<RetentionPolicy> }>(
        'SELECT value FROM settings WHERE key = $1',
        ['retention'],
      );
      if (!row) return { ...DEFAULT_RETENTION };
      return {
        days: row.value.days ?? null,
        keepPinned: row.value.keepPinned ?? DEFAULT_RETENTION.keepPinned,
      };
    },
    async setRetentionPolicy(policy) {
      await pool.query(
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        ['retention', JSON.stringify({ days: policy.days, keepPinned: policy.keepPinned })],
      );
    },

    async appendAudit(e) {
      await pool.query(
        'INSERT INTO audit_log (at, actor_id, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6)',
        [e.at, e.actorId, e.action, e.targetType, e.targetId, JSON.stringify(e.details)],
      );
    },
    async listAudit({ limit, before }) {
      const list = await rows<AuditDbRow>('SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2', [
        before ?? Number.MAX_SAFE_INTEGER,
        limit,
      ]);
      return list.map(toAudit);
    },
  };
}
