/** The discussions, their members and the sidebar's last message, of the Directory, in SQLite. */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import { type DiscussionDbRow, type MemberDbRow, toDiscussion, toMember, foundAs } from './rows.js';
import type { Directory, DiscussionRow, MemberRow } from './types.js';

type LastMessageEntry = Parameters<Directory['setLastMessages']>[0][number];

export function sqliteDiscussions(db: Database.Database) {
  const q = lazyStatements({
    insertDiscussion: () =>
      db.prepare(
        'INSERT INTO discussions (id, kind, title, created_by, created_at, direct_key, last_activity_at, archived_at, retention_days) VALUES (@id, @kind, @title, @createdBy, @createdAt, @directKey, @lastActivityAt, @archivedAt, @retentionDays)',
      ),
    insertMember: () =>
      db.prepare(
        'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES (@discussionId, @userId, @role, @addedAt)',
      ),
    discussionById: () => db.prepare<[string], DiscussionDbRow>('SELECT * FROM discussions WHERE id = ?'),
    discussionByDirectKey: () =>
      db.prepare<[string], DiscussionDbRow>('SELECT * FROM discussions WHERE direct_key = ?'),
    discussionsOf: () =>
      db.prepare<[string], DiscussionDbRow>(
        'SELECT d.* FROM discussions d JOIN discussion_members m ON m.discussion_id = d.id WHERE m.user_id = ? ORDER BY d.last_activity_at DESC',
      ),
    membersOf: () =>
      db.prepare<[string], MemberDbRow>(
        'SELECT * FROM discussion_members WHERE discussion_id = ? ORDER BY added_at, user_id',
      ),
    memberRole: () =>
      db.prepare<[string, string], { role: string }>(
        'SELECT role FROM discussion_members WHERE discussion_id = ? AND user_id = ?',
      ),
    listDiscussions: () =>
      db.prepare<[], DiscussionDbRow>('SELECT * FROM discussions ORDER BY last_activity_at DESC'),
    upsertMember: () =>
      db.prepare(
        'INSERT INTO discussion_members (discussion_id, user_id, role, added_at) VALUES (@discussionId, @userId, @role, @addedAt) ON CONFLICT (discussion_id, user_id) DO UPDATE SET role = excluded.role',
      ),
    removeMember: () =>
      db.prepare<[string, string]>('DELETE FROM discussion_members WHERE discussion_id = ? AND user_id = ?'),
    setTitle: () => db.prepare<[string | null, string]>('UPDATE discussions SET title = ? WHERE id = ?'),
    setLast: () =>
      db.prepare<[string | null, string | null, number | null, number, string]>(
        'UPDATE discussions SET last_message_author = ?, last_message_preview = ?, last_message_ts = ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ?',
      ),
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
      archivedAt: d.archivedAt,
      retentionDays: d.retentionDays,
    });
    for (const m of members) q.insertMember.run(m);
  });
  const setLastTx = db.transaction((entries: LastMessageEntry[]) => {
    for (const e of entries)
      q.setLast.run(
        e.lastMessage?.author ?? null,
        e.lastMessage?.preview ?? null,
        e.lastMessage?.ts ?? null,
        e.activityAt,
        e.discussionId,
      );
  });

  return {
    async insertDiscussion(discussion, members) {
      insertDiscussionTx(discussion, members);
    },
    async discussionById(id) {
      return foundAs(q.discussionById.get(id), toDiscussion);
    },
    async discussionByDirectKey(key) {
      return foundAs(q.discussionByDirectKey.get(key), toDiscussion);
    },
    async discussionsOf(userId) {
      return q.discussionsOf.all(userId).map(toDiscussion);
    },
    async membersOf(discussionId) {
      return q.membersOf.all(discussionId).map(toMember);
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
    async setTitle(discussionId, title) {
      q.setTitle.run(title, discussionId);
    },
    async setLastMessage(discussionId, last, activityAt) {
      q.setLast.run(last.author, last.preview, last.ts, activityAt, discussionId);
    },
    async setLastMessages(entries) {
      if (entries.length > 0) setLastTx(entries);
    },
  } satisfies Partial<Directory>;
}
