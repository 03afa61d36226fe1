/**
 * Archives (ARCHITECTURE.md "Archives"): owners, moderators and admins archive and restore; an
 * archived discussion is read-only for every role, enforced by the update rule `archived` (proven
 * by content: the forged update is refused with 4422, never reaches the others, is not stored),
 * its members' sidebars learn it from the events socket, and it stays readable.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  addMessage,
  listMessages,
  markRead,
  messagesMap,
  pin,
  type DiscussionSummary,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { openEvents, until, waitForSync, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('archives', () => {
  const server = useTestServer();
  let owner: TestUser,
    moderator: TestUser,
    member: TestUser,
    reader: TestUser,
    outsider: TestUser,
    admin: TestUser;
  let group: DiscussionSummary;

  beforeEach(async () => {
    [owner, moderator, member, reader, outsider] = await server.createUsers(
      'Olivia Owner',
      'Maud Moderator',
      'Marc Member',
      'Rita Reader',
      'Oscar Outsider',
    );
    admin = await server.createAdmin();
    group = await server.createDiscussion(owner, [moderator, member, reader], 'Chantier Lyon');
    for (const [who, role] of [
      [moderator, 'moderator'],
      [reader, 'reader'],
    ] as const) {
      const res = await server.api(`/api/discussions/${group.id}/members/${who.user.id}`, owner.token, {
        method: 'PATCH',
        body: { role },
      });
      expect(res.status).toBe(200);
    }
  });

  async function honest(user: TestUser) {
    const c = server.client(group.id, user.token);
    await waitForSync(c.provider);
    return c;
  }

  async function storedTexts(): Promise<string[]> {
    const { updates } = await server.storage.docs.load(group.id);
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return listMessages(doc).map((m) => m.text);
  }

  const archive = (who: TestUser | null, id = group.id, verb = 'archive') =>
    server.api<DiscussionSummary & { error?: { code: string } }>(
      `/api/discussions/${id}/${verb}`,
      who?.token ?? null,
      { method: 'POST' },
    );

  it('lets owners, moderators and admins archive and restore; others get 403 with a code, unknown ids 404', async () => {
    expect((await archive(member)).body.error?.code).toBe('forbidden');
    expect((await archive(member)).status).toBe(403);
    expect((await archive(reader)).status).toBe(403);
    const notIn = await archive(outsider);
    expect([notIn.status, notIn.body.error?.code]).toEqual([403, 'not_member']);
    expect((await archive(null)).status).toBe(401);
    const unknown = await archive(owner, 'zzzzzzzzzzzzzzzzzzzz');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'discussion_not_found']);

    const events = await openEvents(server.url, member.token);
    server.defer(() => events.close());
    for (const who of [owner, moderator, admin]) {
      const done = await archive(who);
      expect(done.status).toBe(200);
      expect(done.body.archivedAt).toEqual(expect.any(Number));
      // Asking twice changes nothing.
      expect((await archive(who)).body.archivedAt).toBe(done.body.archivedAt);
      // The member's sidebar learns it from its events socket.
      await events.next(
        (e) => e.type === 'discussion' && e.discussion.id === group.id && e.discussion.archivedAt !== null,
        'archived event',
      );
      const restored = await archive(who, group.id, 'unarchive');
      expect([restored.status, restored.body.archivedAt]).toEqual([200, null]);
      events.events.splice(0);
    }
    const listed = await server.api<{ discussions: DiscussionSummary[] }>('/api/discussions', member.token);
    expect(listed.body.discussions.find((d) => d.id === group.id)?.archivedAt).toBeNull();
    const audit = await server.api<{ entries: { action: string; targetId: string }[] }>(
      '/api/admin/audit?limit=50',
      admin.token,
    );
    const actions = audit.body.entries.filter((e) => e.targetId === group.id).map((e) => e.action);
    expect(actions.filter((a) => a === 'discussion.archive')).toHaveLength(3);
    expect(actions.filter((a) => a === 'discussion.unarchive')).toHaveLength(3);
  });

  it('archived: refuses every write from every role, raw updates included, but keeps the discussion readable', async () => {
    const witness = await honest(member);
    const before = await honest(owner);
    addMessage(before.doc, { author: owner.user.id, text: 'avant l’archive', now: Date.now() });
    await until(() => listMessages(witness.doc).length === 1, 5000, 'first message');
    expect((await archive(owner)).status).toBe(200);

    for (const who of [owner, moderator, member]) {
      const a = await connectAttacker(server.url, group.id, who.token);
      server.defer(() => a.socket.terminate());
      a.change((doc) =>
        addMessage(doc, { author: who.user.id, text: `interdit ${who.user.id}`, now: Date.now() }),
      );
      expect(await a.closed).toBe(CloseCode.UpdateRejected);
      expect(a.denied()).toMatch(/^archived/);
    }
    // Deleting or pinning the existing message: refused too.
    const del = await connectAttacker(server.url, group.id, owner.token);
    server.defer(() => del.socket.terminate());
    const [first] = listMessages(del.doc);
    del.change((doc) => messagesMap(doc).delete(first.id));
    expect(await del.closed).toBe(CloseCode.UpdateRejected);
    expect(del.denied()).toMatch(/^archived/);
    const pinner = await connectAttacker(server.url, group.id, moderator.token);
    server.defer(() => pinner.socket.terminate());
    pinner.change((doc) => pin(doc, first.id, moderator.user.id, Date.now()));
    expect(await pinner.closed).toBe(CloseCode.UpdateRejected);
    expect(pinner.denied()).toMatch(/^archived/);

    // Nothing reached the others or storage; the discussion is still readable, read cursors move.
    expect(listMessages(witness.doc).map((m) => m.text)).toEqual(['avant l’archive']);
    expect(await storedTexts()).toEqual(['avant l’archive']);
    const r = await honest(reader);
    expect(listMessages(r.doc).map((m) => m.text)).toEqual(['avant l’archive']);
    const cursor = await connectAttacker(server.url, group.id, reader.token);
    server.defer(() => cursor.socket.terminate());
    cursor.change((doc) => markRead(doc, reader.user.id));
    await until(() => witness.doc.getMap('reads').has(reader.user.id), 5000, 'read cursor relayed');

    // Files cannot be sent either.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array([1, 2, 3])], { type: 'text/plain' }), 'a.txt');
    const res = await fetch(`${server.url}/api/discussions/${group.id}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('discussion_archived');

    // Restored: writing works again.
    expect((await archive(owner, group.id, 'unarchive')).status).toBe(200);
    const after = await honest(member);
    addMessage(after.doc, { author: member.user.id, text: 'de retour', now: Date.now() });
    await until(() => listMessages(witness.doc).length === 2, 5000, 'message after restore');
    expect(await storedTexts()).toEqual(['avant l’archive', 'de retour']);
  });
});
