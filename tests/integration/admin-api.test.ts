/** The admin API: every endpoint refuses non-admins and anonymous callers; access changes act at once. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, listMessages, type DiscussionSummary, type PublicUser } from '@palabre/shared';
import { connect, refusalStatus, say, texts, until, waitForSync, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

const ADMIN_ENDPOINTS: [string, string, unknown?][] = [
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users', { username: 'newbie', displayName: 'New', password: 'password123' }],
  ['PATCH', '/api/admin/users/{user}', { displayName: 'X' }],
  ['POST', '/api/admin/users/{user}/disable'],
  ['POST', '/api/admin/users/{user}/enable'],
  ['GET', '/api/admin/discussions'],
  ['PATCH', '/api/admin/discussions/{discussion}', { title: 'Nouveau nom' }],
  ['POST', '/api/admin/discussions/{discussion}/members', { userId: '{user}' }],
  ['PATCH', '/api/admin/discussions/{discussion}/members/{user}', { role: 'reader' }],
  ['DELETE', '/api/admin/discussions/{discussion}/members/{user}'],
  ['GET', '/api/admin/audit'],
  ['GET', '/api/admin/tokens'],
  ['POST', '/api/admin/tokens', { label: 'script' }],
  ['GET', '/api/admin/backups'],
  ['POST', '/api/admin/backups'],
  ['GET', '/api/admin/retention'],
  ['PUT', '/api/admin/retention', { days: 30, keepPinned: true }],
  ['PUT', '/api/admin/discussions/{discussion}/retention', { days: 7 }],
  ['POST', '/api/admin/retention/preview'],
  ['POST', '/api/admin/retention/run'],
];

describe('admin API', () => {
  const server = useTestServer();
  let admin: TestUser, alice: TestUser, bob: TestUser, carol: TestUser;
  let group: DiscussionSummary;
  beforeEach(async () => {
    admin = await server.createAdmin();
    [alice, bob, carol] = await server.createUsers('Alice', 'Bob', 'Carol');
    group = await server.createDiscussion(alice, [bob, carol], 'Équipe');
  });

  const fill = (s: string) => s.replaceAll('{user}', carol.user.id).replaceAll('{discussion}', group.id);

  it('refuses every admin endpoint to a non-admin (403 forbidden) and to an anonymous caller (401)', async () => {
    for (const [method, path, body] of ADMIN_ENDPOINTS) {
      const init = { method, body: body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body))) };
      const asUser = await server.api<{ error: { code: string } }>(fill(path), alice.token, init);
      expect([method, path, asUser.status, asUser.body.error.code]).toEqual([method, path, 403, 'forbidden']);
      const anonymous = await server.api<{ error: { code: string } }>(fill(path), null, init);
      expect([method, path, anonymous.status, anonymous.body.error.code]).toEqual([
        method,
        path,
        401,
        'unauthenticated',
      ]);
    }
    // Nothing changed: the group still has its three members and its name.
    const g = await server.api<DiscussionSummary>(`/api/discussions/${group.id}`, alice.token);
    expect(g.body.members).toHaveLength(3);
    expect(g.body.title).toBe('Équipe');
  });

  it('lets an admin script work with an API token', async () => {
    const created = await server.api<{ token: string }>('/api/admin/tokens', admin.token, {
      body: { label: 'provisioning' },
    });
    expect(created.status).toBe(201);
    const users = await server.api<{ users: PublicUser[] }>('/api/admin/users', created.body.token);
    expect(users.status).toBe(200);
    expect(users.body.users.map((u) => u.displayName)).toEqual(
      expect.arrayContaining(['Alice', 'Bob', 'Carol']),
    );
    const made = await server.api<{ user: PublicUser }>('/api/admin/users', created.body.token, {
      body: { username: 'Denis.Martin', displayName: 'Denis Martin', password: 'password123' },
    });
    expect(made.status).toBe(201);
    expect(made.body.user.username).toBe('denis.martin');
    const dup = await server.api<{ error: { code: string } }>('/api/admin/users', admin.token, {
      body: { username: 'denis.martin', displayName: 'Autre', password: 'password123' },
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'username_taken']);
  });

  it('lists every group with members and roles, and records access changes in the audit log', async () => {
    const all = await server.api<{ discussions: DiscussionSummary[] }>('/api/admin/discussions', admin.token);
    const g = all.body.discussions.find((d) => d.id === group.id)!;
    expect(g.members.find((m) => m.userId === alice.user.id)?.role).toBe('owner');
    await server.api(`/api/admin/discussions/${group.id}/members/${bob.user.id}`, admin.token, {
      method: 'PATCH',
      body: { role: 'moderator' },
    });
    await server.api(`/api/admin/discussions/${group.id}`, admin.token, {
      method: 'PATCH',
      body: { title: 'Urgences SAV' },
    });
    const audit = await server.api<{
      entries: { action: string; actorId: string; details: Record<string, unknown> }[];
    }>('/api/admin/audit', admin.token);
    expect(audit.body.entries.slice(0, 2).map((e) => e.action)).toEqual(['discussion.rename', 'member.role']);
    expect(audit.body.entries[1]).toMatchObject({ actorId: admin.user.id, details: { to: 'moderator' } });
  });

  it('disabling a user logs them out everywhere at once', async () => {
    const c = connect(server.url, group.id, carol.token);
    server.defer(() => c.provider.destroy());
    await waitForSync(c.provider);
    const closed = new Promise<number>((resolve) =>
      c.provider.on('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
    );
    const res = await server.api<{ user: PublicUser }>(
      `/api/admin/users/${carol.user.id}/disable`,
      admin.token,
      {
        method: 'POST',
      },
    );
    expect(res.body.user.disabled).toBe(true);
    expect(await closed).toBe(CloseCode.Unauthorized);
    expect((await server.api('/api/me', carol.token)).status).toBe(401);
    const again = await server.api<{ error: { code: string } }>('/api/auth/login', null, {
      body: { username: carol.user.username, password: 'password123' },
    });
    expect([again.status, again.body.error.code]).toEqual([403, 'account_disabled']);
    const directory = await server.api<{ users: PublicUser[] }>('/api/users', alice.token);
    expect(directory.body.users.map((u) => u.id)).not.toContain(carol.user.id);
  });
});

describe('members of a group', () => {
  const server = useTestServer();
  let owner: TestUser, bob: TestUser, carol: TestUser, dan: TestUser;
  let group: DiscussionSummary;
  beforeEach(async () => {
    [owner, bob, carol, dan] = await server.createUsers('Olivia', 'Bob', 'Carol', 'Dan');
    group = await server.createDiscussion(owner, [bob, carol], 'Projet Atlas');
  });

  it('a removed member loses access at once: connection closed, refused on reconnect, told by event', async () => {
    const events = new (await import('ws')).default(
      `${server.url.replace('http', 'ws')}/api/events?token=${carol.token}`,
    );
    const received: string[] = [];
    events.on('message', (data) => received.push(JSON.parse(String(data)).type));
    server.defer(() => events.close());
    const c = connect(server.url, group.id, carol.token);
    server.defer(() => c.provider.destroy());
    await waitForSync(c.provider);
    const closed = new Promise<number>((resolve) =>
      c.provider.on('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
    );
    const res = await server.api<DiscussionSummary>(
      `/api/discussions/${group.id}/members/${carol.user.id}`,
      owner.token,
      {
        method: 'DELETE',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.members.map((m) => m.userId)).not.toContain(carol.user.id);
    expect(await closed).toBe(CloseCode.Forbidden);
    await until(() => received.includes('discussion_removed'), 5000, 'removal event');
    // Her own client connects again (y-websocket stops after a 44xx; a user's reload would do
    // the same): every attempt is refused, none opens, and what is written meanwhile, which a
    // member still gets, never reaches her.
    let opened = 0;
    let refused = 0;
    c.provider.on('status', (event: { status: string }) => void (event.status === 'connected' && opened++));
    c.provider.on('connection-close', () => void refused++);
    const o = await server.synced(group.id, owner.token);
    const b = await server.synced(group.id, bob.token);
    say(o.doc, owner, 'Réunion sans Carol');
    await until(() => texts(b.doc).includes('Réunion sans Carol'), 5000, 'Bob to get the message');
    c.provider.connect();
    await until(() => refused >= 2, 5000, 'two refused reconnections');
    expect(opened).toBe(0);
    expect(texts(c.doc)).not.toContain('Réunion sans Carol');
    // Reconnecting is refused before any document byte, with a header or a query token alike.
    const syncUrl = `${server.url.replace('http', 'ws')}/sync/${group.id}`;
    expect(await refusalStatus(`${syncUrl}?token=${carol.token}`)).toBe(403);
    expect(await refusalStatus(syncUrl, { authorization: `Bearer ${carol.token}` })).toBe(403);
    const list = await server.api<{ discussions: DiscussionSummary[] }>('/api/discussions', carol.token);
    expect(list.body.discussions.map((d) => d.id)).not.toContain(group.id);
  });

  it('owners add members and change roles; plain members and outsiders cannot', async () => {
    const byMember = await server.api<{ error: { code: string } }>(
      `/api/discussions/${group.id}/members`,
      bob.token,
      {
        body: { userId: dan.user.id },
      },
    );
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'forbidden']);
    const byOutsider = await server.api<{ error: { code: string } }>(
      `/api/discussions/${group.id}/members`,
      dan.token,
      {
        body: { userId: dan.user.id },
      },
    );
    expect([byOutsider.status, byOutsider.body.error.code]).toEqual([403, 'not_member']);

    const added = await server.api<DiscussionSummary>(`/api/discussions/${group.id}/members`, owner.token, {
      body: { userId: dan.user.id, role: 'reader' },
    });
    expect(added.status).toBe(201);
    expect(added.body.members.find((m) => m.userId === dan.user.id)?.role).toBe('reader');
    // The new member syncs the whole history, including the member mirror.
    const d = connect(server.url, group.id, dan.token);
    server.defer(() => d.provider.destroy());
    await waitForSync(d.provider);
    await until(() => d.doc.getMap('members').has(dan.user.id), 5000, 'member mirror');
    expect(listMessages(d.doc)).toEqual([]);

    const promote = await server.api(`/api/discussions/${group.id}/members/${bob.user.id}`, owner.token, {
      method: 'PATCH',
      body: { role: 'moderator' },
    });
    expect(promote.status).toBe(200);
    // A moderator manages members but cannot touch the owner.
    const coup = await server.api<{ error: { code: string } }>(
      `/api/discussions/${group.id}/members/${owner.user.id}`,
      bob.token,
      { method: 'DELETE' },
    );
    expect([coup.status, coup.body.error.code]).toEqual([403, 'forbidden']);
    const lastOwner = await server.api<{ error: { code: string } }>(
      `/api/discussions/${group.id}/members/${owner.user.id}`,
      owner.token,
      { method: 'PATCH', body: { role: 'member' } },
    );
    expect([lastOwner.status, lastOwner.body.error.code]).toEqual([409, 'last_owner']);
  });

  it('a direct discussion keeps its two people', async () => {
    const direct = await server.createDiscussion(owner, [bob]);
    const res = await server.api<{ error: { code: string } }>(
      `/api/discussions/${direct.id}/members`,
      owner.token,
      {
        body: { userId: carol.user.id },
      },
    );
    expect([res.status, res.body.error.code]).toEqual([403, 'direct_discussion']);
  });
});
