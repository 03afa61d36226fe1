/**
 * Directory in memory: the reference for the Directory contract suite (directory.contract.test.ts)
 * and a stand-in for unit tests. It keeps the same rules as the databases: unique usernames,
 * session ids and direct keys, members only of existing discussions, newest audit entries first.
 */
import type { RetentionPolicy } from '@palabre/shared';
import { DEFAULT_RETENTION } from './sqlite-retention.js';
import type { AuditRow, Directory, DiscussionRow, MemberRow, SessionRow, UserRow } from './types.js';

const copy = <T>(value: T): T => structuredClone(value);

export function createMemoryDirectory(): Directory {
  const users = new Map<string, UserRow>();
  const sessions = new Map<string, SessionRow>();
  const discussions = new Map<string, DiscussionRow>();
  const members = new Map<string, Map<string, MemberRow>>();
  const audit: AuditRow[] = [];
  let retention: RetentionPolicy = { ...DEFAULT_RETENTION };

  const byDisplayName = (a: UserRow, b: UserRow) => {
    const x = a.displayName.toLowerCase();
    const y = b.displayName.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const byActivity = (a: DiscussionRow, b: DiscussionRow) => b.lastActivityAt - a.lastActivityAt;
  const sessionsWhere = (keep: (s: SessionRow) => boolean) => [...sessions.values()].filter(keep).map(copy);
  function setLast(
    id: string,
    last: { author: string; preview: string; ts: number } | null,
    activityAt: number,
  ): void {
    const d = discussions.get(id);
    if (!d) return;
    d.lastMessage = last ? { ...last } : null;
    d.lastActivityAt = Math.max(d.lastActivityAt, activityAt);
  }

  return {
    async countUsers() {
      return users.size;
    },
    async insertUser(user) {
      if (users.has(user.id)) throw new Error(`user ${user.id} exists`);
      if ([...users.values()].some((u) => u.username === user.username))
        throw new Error(`username ${user.username} taken`);
      users.set(user.id, copy(user));
    },
    async userById(id) {
      const u = users.get(id);
      return u ? copy(u) : null;
    },
    async userByUsername(username) {
      const u = [...users.values()].find((x) => x.username === username);
      return u ? copy(u) : null;
    },
    async listUsers() {
      return [...users.values()].sort(byDisplayName).map(copy);
    },
    async updateUser(id, patch) {
      const u = users.get(id);
      if (!u) return;
      for (const [key, value] of Object.entries(patch))
        if (value !== undefined) Object.assign(u, { [key]: value });
    },

    async insertSession(session) {
      if (!users.has(session.userId)) throw new Error(`unknown user ${session.userId}`);
      if (sessions.has(session.tokenHash) || [...sessions.values()].some((s) => s.id === session.id))
        throw new Error('session exists');
      sessions.set(session.tokenHash, copy(session));
    },
    async sessionByTokenHash(tokenHash) {
      const s = sessions.get(tokenHash);
      return s ? copy(s) : null;
    },
    async deleteSession(tokenHash) {
      sessions.delete(tokenHash);
    },
    async deleteSessionsOf(userId) {
      for (const [hash, s] of sessions) if (s.userId === userId) sessions.delete(hash);
    },
    async apiTokensOf(userId) {
      return sessionsWhere((s) => s.userId === userId && s.label !== null).sort(
        (a, b) => a.createdAt - b.createdAt,
      );
    },
    async allApiTokens() {
      return sessionsWhere((s) => s.label !== null).sort((a, b) => a.createdAt - b.createdAt);
    },
    async browserSessionsOf(userId) {
      return sessionsWhere((s) => s.userId === userId && s.label === null).sort(
        (a, b) => b.lastSeenAt - a.lastSeenAt,
      );
    },
    async sessionById(id) {
      const s = [...sessions.values()].find((x) => x.id === id);
      return s ? copy(s) : null;
    },
    async touchSession(tokenHash, at) {
      const s = sessions.get(tokenHash);
      if (s) s.lastSeenAt = at;
    },

    async insertDiscussion(discussion, list) {
      if (discussions.has(discussion.id)) throw new Error(`discussion ${discussion.id} exists`);
      if (
        discussion.directKey !== null &&
        [...discussions.values()].some((d) => d.directKey === discussion.directKey)
      )
        throw new Error('direct discussion exists');
      for (const m of list) if (!users.has(m.userId)) throw new Error(`unknown user ${m.userId}`);
      discussions.set(discussion.id, { ...copy(discussion), lastMessage: null });
      members.set(discussion.id, new Map(list.map((m) => [m.userId, copy(m)])));
    },
    async discussionById(id) {
      const d = discussions.get(id);
      return d ? copy(d) : null;
    },
    async discussionByDirectKey(key) {
      const d = [...discussions.values()].find((x) => x.directKey === key);
      return d ? copy(d) : null;
    },
    async discussionsOf(userId) {
      return [...discussions.values()]
        .filter((d) => members.get(d.id)?.has(userId))
        .sort(byActivity)
        .map(copy);
    },
    async membersOf(discussionId) {
      return [...(members.get(discussionId)?.values() ?? [])]
        .sort((a, b) => a.addedAt - b.addedAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
        .map(copy);
    },
    async memberRole(discussionId, userId) {
      return members.get(discussionId)?.get(userId)?.role ?? null;
    },
    async listDiscussions() {
      return [...discussions.values()].sort(byActivity).map(copy);
    },
    async upsertMember(member) {
      const list = members.get(member.discussionId);
      if (!list || !users.has(member.userId)) throw new Error('unknown discussion or user');
      const existing = list.get(member.userId);
      if (existing) existing.role = member.role;
      else list.set(member.userId, copy(member));
    },
    async removeMember(discussionId, userId) {
      members.get(discussionId)?.delete(userId);
    },
    async setTitle(discussionId, title) {
      const d = discussions.get(discussionId);
      if (d) d.title = title;
    },
    async setLastMessage(discussionId, last, activityAt) {
      setLast(discussionId, last, activityAt);
    },
    async setLastMessages(entries) {
      for (const e of entries) setLast(e.discussionId, e.lastMessage, e.activityAt);
    },

    async setArchived(discussionId, archivedAt) {
      const d = discussions.get(discussionId);
      if (d) d.archivedAt = archivedAt;
    },
    async setRetentionDays(discussionId, days) {
      const d = discussions.get(discussionId);
      if (d) d.retentionDays = days;
    },
    async retentionPolicy() {
      return { ...retention };
    },
    async setRetentionPolicy(policy) {
      retention = { days: policy.days, keepPinned: policy.keepPinned };
    },

    async appendAudit(entry) {
      audit.push({ ...copy(entry), id: audit.length + 1 });
    },
    async listAudit({ limit, before }) {
      return audit
        .filter((e) => e.id < (before ?? Number.MAX_SAFE_INTEGER))
        .reverse()
        .slice(0, limit)
        .map(copy);
    },
  };
}
