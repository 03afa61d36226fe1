/**
 * The Directory contract: one suite, run against every adapter (memory, SQLite, PostgreSQL on a
 * fresh database per test). An adapter that passes it can replace another under the services.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryDirectory } from './memory-directory.js';
import { onSqliteAndPostgres, openForEachTest } from './test-databases.js';
import type { Directory, DiscussionRow, SessionRow, UserRow } from './types.js';

interface Adapter {
  directory: Directory;
  close(): Promise<void>;
}

const user = (id: string, displayName = id, extra: Partial<UserRow> = {}): UserRow => ({
  id,
  username: `u-${id}`,
  displayName,
  passwordHash: `hash-${id}`,
  role: 'user',
  disabled: false,
  createdAt: 1_700_000_000_000,
  ...extra,
});
const session = (id: string, userId: string, extra: Partial<SessionRow> = {}): SessionRow => ({
  id,
  tokenHash: `token-${id}`,
  userId,
  createdAt: 1000,
  expiresAt: 9_000_000_000_000,
  label: null,
  lastSeenAt: 1000,
  userAgent: 'Firefox',
  ...extra,
});
const discussion = (id: string, extra: Partial<DiscussionRow> = {}): DiscussionRow => ({
  id,
  kind: 'group',
  title: `Group ${id}`,
  createdBy: 'ana',
  createdAt: 2000,
  directKey: null,
  lastActivityAt: 2000,
  lastMessage: null,
  archivedAt: null,
  retentionDays: null,
  ...extra,
});

export function directoryContract(name: string, open: () => Promise<Adapter>) {
  describe(`Directory contract: ${name}`, () => {
    let dir: Directory;
    openForEachTest(open, async (adapter) => {
      dir = adapter.directory;
      for (const u of [user('ana', 'Ana'), user('bob', 'bob'), user('cleo', 'Cléo', { role: 'admin' })])
        await dir.insertUser(u);
    });

    it('stores users, finds them by id and username, lists them by display name whatever the case', async () => {
      expect(await dir.countUsers()).toBe(3);
      expect(await dir.userById('cleo')).toEqual(user('cleo', 'Cléo', { role: 'admin' }));
      expect(await dir.userByUsername('u-bob')).toEqual(user('bob', 'bob'));
      expect(await dir.userById('nobody')).toBeNull();
      expect(await dir.userByUsername('nobody')).toBeNull();
      expect((await dir.listUsers()).map((u) => u.id)).toEqual(['ana', 'bob', 'cleo']);
    });

    it('refuses a second user with the same username', async () => {
      await expect(dir.insertUser(user('ana2', 'Ana bis', { username: 'u-ana' }))).rejects.toThrow();
      expect(await dir.countUsers()).toBe(3);
    });

    it('updates only the fields given', async () => {
      await dir.updateUser('bob', { displayName: 'Bob', disabled: true });
      await dir.updateUser('bob', {});
      expect(await dir.userById('bob')).toEqual(user('bob', 'Bob', { disabled: true }));
      await dir.updateUser('bob', { role: 'admin', passwordHash: 'new', disabled: false });
      expect(await dir.userById('bob')).toEqual(
        user('bob', 'Bob', { role: 'admin', passwordHash: 'new', disabled: false }),
      );
    });

    it('keeps sessions and API tokens apart, in their orders, and forgets them', async () => {
      await dir.insertSession(session('s1', 'ana', { lastSeenAt: 10 }));
      await dir.insertSession(session('s2', 'ana', { lastSeenAt: 30 }));
      await dir.insertSession(session('t2', 'ana', { label: 'backup', createdAt: 50, userAgent: null }));
      await dir.insertSession(session('t1', 'bob', { label: 'ci', createdAt: 40 }));
      expect(await dir.sessionByTokenHash('token-s1')).toEqual(session('s1', 'ana', { lastSeenAt: 10 }));
      expect(await dir.sessionById('t1')).toEqual(session('t1', 'bob', { label: 'ci', createdAt: 40 }));
      expect(await dir.sessionById('none')).toBeNull();
      expect((await dir.browserSessionsOf('ana')).map((s) => s.id)).toEqual(['s2', 's1']);
      await dir.touchSession('token-s1', 99);
      expect((await dir.browserSessionsOf('ana')).map((s) => s.id)).toEqual(['s1', 's2']);
      expect((await dir.sessionByTokenHash('token-s1'))?.lastSeenAt).toBe(99);
      expect((await dir.apiTokensOf('ana')).map((s) => s.id)).toEqual(['t2']);
      expect((await dir.allApiTokens()).map((s) => s.id)).toEqual(['t1', 't2']);

      await dir.deleteSession('token-s2');
      expect(await dir.sessionByTokenHash('token-s2')).toBeNull();
      await dir.deleteSessionsOf('ana');
      expect(await dir.browserSessionsOf('ana')).toEqual([]);
      expect(await dir.apiTokensOf('ana')).toEqual([]);
      expect((await dir.allApiTokens()).map((s) => s.id)).toEqual(['t1']);
    });

    it('refuses a session of an unknown user', async () => {
      await expect(dir.insertSession(session('s1', 'nobody'))).rejects.toThrow();
      expect(await dir.sessionById('s1')).toBeNull();
    });

    it('inserts a discussion with its members at once, and lists discussions by latest activity', async () => {
      await dir.insertDiscussion(discussion('g1'), [
        { discussionId: 'g1', userId: 'ana', role: 'owner', addedAt: 2000 },
        { discussionId: 'g1', userId: 'bob', role: 'member', addedAt: 2000 },
      ]);
      await dir.insertDiscussion(discussion('g2', { lastActivityAt: 5000, title: null }), [
        { discussionId: 'g2', userId: 'bob', role: 'owner', addedAt: 3000 },
      ]);
      expect(await dir.discussionById('g1')).toEqual(discussion('g1'));
      expect(await dir.discussionById('none')).toBeNull();
      expect((await dir.listDiscussions()).map((d) => d.id)).toEqual(['g2', 'g1']);
      expect((await dir.discussionsOf('bob')).map((d) => d.id)).toEqual(['g2', 'g1']);
      expect((await dir.discussionsOf('ana')).map((d) => d.id)).toEqual(['g1']);
      expect(await dir.discussionsOf('cleo')).toEqual([]);
      expect(await dir.membersOf('g1')).toEqual([
        { discussionId: 'g1', userId: 'ana', role: 'owner', addedAt: 2000 },
        { discussionId: 'g1', userId: 'bob', role: 'member', addedAt: 2000 },
      ]);
      expect(await dir.memberRole('g1', 'bob')).toBe('member');
      expect(await dir.memberRole('g1', 'cleo')).toBeNull();
    });

    it('keeps nothing of a discussion whose members cannot all be inserted', async () => {
      await expect(
        dir.insertDiscussion(discussion('g1'), [
          { discussionId: 'g1', userId: 'ana', role: 'owner', addedAt: 1 },
          { discussionId: 'g1', userId: 'nobody', role: 'member', addedAt: 1 },
        ]),
      ).rejects.toThrow();
      expect(await dir.discussionById('g1')).toBeNull();
      expect(await dir.discussionsOf('ana')).toEqual([]);
    });

    it('keeps one direct discussion per pair', async () => {
      const direct = discussion('d1', { kind: 'direct', title: null, directKey: 'ana:bob' });
      await dir.insertDiscussion(direct, [
        { discussionId: 'd1', userId: 'ana', role: 'member', addedAt: 1 },
        { discussionId: 'd1', userId: 'bob', role: 'member', addedAt: 1 },
      ]);
      await expect(dir.insertDiscussion({ ...direct, id: 'd2' }, [])).rejects.toThrow();
      expect((await dir.discussionByDirectKey('ana:bob'))?.id).toBe('d1');
      expect(await dir.discussionByDirectKey('ana:cleo')).toBeNull();
    });

    it('adds, changes and removes members, orders them by arrival', async () => {
      await dir.insertDiscussion(discussion('g1'), [
        { discussionId: 'g1', userId: 'ana', role: 'owner', addedAt: 10 },
      ]);
      await dir.upsertMember({ discussionId: 'g1', userId: 'cleo', role: 'reader', addedAt: 30 });
      await dir.upsertMember({ discussionId: 'g1', userId: 'bob', role: 'member', addedAt: 20 });
      // A role change keeps the arrival time.
      await dir.upsertMember({ discussionId: 'g1', userId: 'cleo', role: 'moderator', addedAt: 99 });
      expect(await dir.membersOf('g1')).toEqual([
        { discussionId: 'g1', userId: 'ana', role: 'owner', addedAt: 10 },
        { discussionId: 'g1', userId: 'bob', role: 'member', addedAt: 20 },
        { discussionId: 'g1', userId: 'cleo', role: 'moderator', addedAt: 30 },
      ]);
      await dir.removeMember('g1', 'bob');
      await dir.removeMember('g1', 'nobody');
      expect((await dir.membersOf('g1')).map((m) => m.userId)).toEqual(['ana', 'cleo']);
      expect(await dir.discussionsOf('bob')).toEqual([]);
    });

    it('sets titles and last messages; activity never goes back; a null last message clears it', async () => {
      await dir.insertDiscussion(discussion('g1'), []);
      await dir.insertDiscussion(discussion('g2'), []);
      await dir.setTitle('g1', 'Renamed');
      await dir.setLastMessage('g1', { author: 'ana', preview: 'Bonjour', ts: 3000 }, 3000);
      expect(await dir.discussionById('g1')).toEqual(
        discussion('g1', {
          title: 'Renamed',
          lastActivityAt: 3000,
          lastMessage: { author: 'ana', preview: 'Bonjour', ts: 3000 },
        }),
      );
      await dir.setLastMessages([
        { discussionId: 'g1', lastMessage: null, activityAt: 2500 },
        { discussionId: 'g2', lastMessage: { author: 'bob', preview: '', ts: 4000 }, activityAt: 4000 },
      ]);
      const g1 = await dir.discussionById('g1');
      expect(g1?.lastMessage).toBeNull();
      expect(g1?.lastActivityAt).toBe(3000);
      expect((await dir.discussionById('g2'))?.lastMessage).toEqual({ author: 'bob', preview: '', ts: 4000 });
      expect((await dir.listDiscussions()).map((d) => d.id)).toEqual(['g2', 'g1']);
      // Given twice in one call: as two calls one after the other (the later message, the latest activity).
      await dir.setLastMessages([
        { discussionId: 'g2', lastMessage: { author: 'bob', preview: 'un', ts: 6000 }, activityAt: 6000 },
        { discussionId: 'g1', lastMessage: { author: 'ana', preview: 'deux', ts: 5000 }, activityAt: 5000 },
        { discussionId: 'g2', lastMessage: { author: 'ana', preview: 'trois', ts: 5500 }, activityAt: 5500 },
      ]);
      expect(await dir.discussionById('g2')).toMatchObject({
        lastActivityAt: 6000,
        lastMessage: { author: 'ana', preview: 'trois', ts: 5500 },
      });
      expect((await dir.discussionById('g1'))?.lastMessage).toEqual({
        author: 'ana',
        preview: 'deux',
        ts: 5000,
      });
    });

    it('archives and restores a discussion, keeps its retention override, and the organisation policy', async () => {
      await dir.insertDiscussion(discussion('g1'), []);
      await dir.insertDiscussion(discussion('g2', { archivedAt: 7000, retentionDays: 30 }), []);
      expect(await dir.discussionById('g2')).toEqual(
        discussion('g2', { archivedAt: 7000, retentionDays: 30 }),
      );
      await dir.setArchived('g1', 8000);
      await dir.setRetentionDays('g1', 90);
      expect(await dir.discussionById('g1')).toMatchObject({ archivedAt: 8000, retentionDays: 90 });
      await dir.setArchived('g1', null);
      await dir.setRetentionDays('g1', null);
      expect(await dir.discussionById('g1')).toEqual(discussion('g1'));
      expect(await dir.retentionPolicy()).toEqual({ days: null, keepPinned: true });
      await dir.setRetentionPolicy({ days: 365, keepPinned: false });
      expect(await dir.retentionPolicy()).toEqual({ days: 365, keepPinned: false });
      await dir.setRetentionPolicy({ days: null, keepPinned: true });
      expect(await dir.retentionPolicy()).toEqual({ days: null, keepPinned: true });
    });

    it('keeps the audit log newest first, with its details, and pages through it', async () => {
      for (let i = 1; i <= 5; i++)
        await dir.appendAudit({
          at: 1000 + i,
          actorId: 'cleo',
          action: `action.${i}`,
          targetType: 'user',
          targetId: 'bob',
          details: { n: i, nested: { list: [i, 'x'] } },
        });
      const all = await dir.listAudit({ limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['action.5', 'action.4', 'action.3', 'action.2', 'action.1']);
      expect(all[0]).toMatchObject({
        at: 1005,
        actorId: 'cleo',
        targetType: 'user',
        targetId: 'bob',
        details: { n: 5, nested: { list: [5, 'x'] } },
      });
      const page = await dir.listAudit({ limit: 2, before: all[1].id });
      expect(page.map((e) => e.action)).toEqual(['action.3', 'action.2']);
    });
  });
}

directoryContract('memory', async () => ({ directory: createMemoryDirectory(), close: async () => {} }));

onSqliteAndPostgres('palabre-directory-', (storage) => ({ directory: storage.directory }), directoryContract);
