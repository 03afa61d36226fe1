import { beforeAll, describe, expect, it } from 'vitest';
import {
  newId,
  type ApiErrorBody,
  type DiscussionSummary,
  type MeResult,
  type PublicUser,
} from '@palabre/shared';
import { api, createUser, login, say, sleep, until, type TestUser } from './helpers.js';
import { ControlledDocStore } from './controlled-store.js';
import { useTestServer } from './server-fixture.js';

const server = useTestServer({}, { scope: 'file' });
let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser, admin: TestUser;

beforeAll(async () => {
  [alice, bob, carol, dave] = await Promise.all(
    ['Alice', 'Bob', 'Carol', 'Dave'].map((n) => server.createUser(n)),
  );
  admin = await server.createAdmin();
});

const errorCode = (body: unknown) => (body as ApiErrorBody).error.code;

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('sessions', () => {
  it('logs in with the right password: a token in the body and the same token in an HttpOnly cookie', async () => {
    await server.auth.createUser({ username: 'claire', displayName: 'Claire', password: 'right-password' });
    const res = await post(
      '/api/auth/login',
      JSON.stringify({ username: 'Claire', password: 'right-password' }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: PublicUser };
    expect(body.user).toMatchObject({ username: 'claire', displayName: 'Claire', role: 'user' });
    expect(JSON.stringify(body)).not.toContain('scrypt');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('palabre_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie!.split(';')[0]).toBe(`palabre_session=${body.token}`);
  });

  it('answers a wrong password and an unknown user with the same 401, so usernames cannot be probed', async () => {
    const wrong = await post(
      '/api/auth/login',
      JSON.stringify({ username: alice.user.username, password: 'nope' }),
    );
    const unknown = await post(
      '/api/auth/login',
      JSON.stringify({ username: 'nobody-here', password: 'nope' }),
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(errorCode(a)).toBe('invalid_credentials');
    expect(a).toEqual(b);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('recognises me by session cookie and by Bearer token, and refuses a request with neither', async () => {
    const byCookie = await fetch(`${server.url}/api/me`, {
      headers: { cookie: `palabre_session=${alice.token}` },
    });
    expect(byCookie.status).toBe(200);
    expect(((await byCookie.json()) as MeResult).user.id).toBe(alice.user.id);
    const byBearer = await server.api<MeResult>('/api/me', alice.token);
    expect(byBearer.status).toBe(200);
    expect(byBearer.body.user.id).toBe(alice.user.id);
    const anonymous = await server.api('/api/me', null);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous.body)).toBe('unauthenticated');
  });

  it('logs out: the token stops working at once, and other sessions of the same user keep working', async () => {
    const session = await login(server.url, bob.user.username, 'password123');
    const out = await server.api('/api/auth/logout', session.token, { method: 'POST' });
    expect(out.status).toBe(204);
    const after = await server.api('/api/me', session.token);
    expect(after.status).toBe(401);
    expect(errorCode(after.body)).toBe('unauthenticated');
    expect((await server.api('/api/me', bob.token)).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await post('/api/auth/login', '{"username": "alice", ');
    expect(res.status).toBe(400);
    expect(errorCode(await res.json())).toBe('invalid_json');
  });

  it('answers a body over 64 KiB with 413 payload_too_large, whether or not its length is declared', async () => {
    const big = JSON.stringify({ memberIds: [bob.user.id], title: 'x'.repeat(70 * 1024) });
    const declared = await post('/api/discussions', big, { authorization: `Bearer ${alice.token}` });
    expect(declared.status).toBe(413);
    expect(errorCode(await declared.json())).toBe('payload_too_large');

    const chunked = await fetch(`${server.url}/api/discussions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(errorCode(await chunked.json())).toBe('payload_too_large');
  });

  it('answers a body of the wrong shape with 400 validation_failed and says which field', async () => {
    const res = await server.api<ApiErrorBody>('/api/discussions', alice.token, {
      body: { memberIds: 'bob' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(res.body.error.details)).toContain('memberIds');
  });
});

describe('discussions', () => {
  it('returns the same direct discussion when it is started twice, from either side', async () => {
    const [u1, u2] = [await server.createUser(), await server.createUser()];
    const first = await server.api<DiscussionSummary>('/api/discussions', u1.token, {
      body: { memberIds: [u2.user.id] },
    });
    const again = await server.api<DiscussionSummary>('/api/discussions', u1.token, {
      body: { memberIds: [u2.user.id] },
    });
    const fromOtherSide = await server.api<DiscussionSummary>('/api/discussions', u2.token, {
      body: { memberIds: [u1.user.id] },
    });
    expect(first.status).toBe(201);
    expect(first.body.kind).toBe('direct');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(fromOtherSide.status).toBe(200);
    expect(fromOtherSide.body.id).toBe(first.body.id);
  });

  it('starts a group with two or more colleagues, its creator as owner', async () => {
    const res = await server.api<DiscussionSummary>('/api/discussions', alice.token, {
      body: { memberIds: [bob.user.id, carol.user.id], title: '  Urgences SAV ' },
    });
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe('group');
    expect(res.body.title).toBe('Urgences SAV');
    expect(new Map(res.body.members.map((m) => [m.userId, m.role]))).toEqual(
      new Map([
        [alice.user.id, 'owner'],
        [bob.user.id, 'member'],
        [carol.user.id, 'member'],
      ]),
    );
  });

  it('refuses to start a discussion with someone who does not exist: 404 user_not_found', async () => {
    const res = await server.api('/api/discussions', alice.token, { body: { memberIds: [newId()] } });
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('user_not_found');
  });

  it('lists only my discussions, most recent activity first, with the last message as preview', async () => {
    const [me, x, y, z] = [
      await server.createUser(),
      await server.createUser(),
      await server.createUser(),
      await server.createUser(),
    ];
    const older = await server.createDiscussion(me, [x]);
    await sleep(5);
    const newer = await server.createDiscussion(me, [y]);
    await server.createDiscussion(x, [z]); // not mine
    const list = async () =>
      (await server.api<{ discussions: DiscussionSummary[] }>('/api/discussions', me.token)).body.discussions;
    expect((await list()).map((d) => d.id)).toEqual([newer.id, older.id]);

    // A message in the older discussion brings it to the top, with its preview.
    const c = await server.synced(older.id, x.token);
    say(c.doc, x, 'Une nouvelle\nsur deux lignes');
    await expect
      .poll(async () => (await list()).map((d) => [d.id, d.lastMessage?.preview ?? null]), {
        timeout: 5000,
      })
      .toEqual([
        [older.id, 'Une nouvelle sur deux lignes'],
        [newer.id, null],
      ]);
    expect((await list())[0].lastMessage?.author).toBe(x.user.id);
  });

  it('shows a discussion to its members only: 403 not_member for others, 404 discussion_not_found if unknown', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    const mine = await server.api<DiscussionSummary>(`/api/discussions/${d.id}`, bob.token);
    expect(mine.status).toBe(200);
    expect(mine.body.id).toBe(d.id);
    const theirs = await server.api(`/api/discussions/${d.id}`, dave.token);
    expect(theirs.status).toBe(403);
    expect(errorCode(theirs.body)).toBe('not_member');
    for (const id of [newId(), 'NOT-AN-ID']) {
      const unknown = await server.api(`/api/discussions/${id}`, alice.token);
      expect(unknown.status).toBe(404);
      expect(errorCode(unknown.body)).toBe('discussion_not_found');
    }
  });

  it('lets the group owner rename it for everyone, and refuses a plain member with 403', async () => {
    const d = await server.createDiscussion(alice, [bob, carol], 'Ancien nom');
    const c = await server.synced(d.id, carol.token);
    const renamed = await server.api<DiscussionSummary>(`/api/discussions/${d.id}`, alice.token, {
      method: 'PATCH',
      body: { title: 'Nouveau nom' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Nouveau nom');
    // Members connected to the discussion see the new name live.
    await until(() => c.doc.getMap('meta').get('title') === 'Nouveau nom', 5000, 'the title in the document');

    const refused = await server.api(`/api/discussions/${d.id}`, bob.token, {
      method: 'PATCH',
      body: { title: 'Pris par Bob' },
    });
    expect(refused.status).toBe(403);
    expect(errorCode(refused.body)).toBe('forbidden');
    const after = await server.api<DiscussionSummary>(`/api/discussions/${d.id}`, carol.token);
    expect(after.body.title).toBe('Nouveau nom');
  });
});

describe('admin user management', () => {
  const newUser = () => ({
    username: `new${newId(6)}`,
    displayName: 'Nouvelle recrue',
    password: 'password123',
  });

  it('lets an admin create a colleague who can then log in', async () => {
    const input = newUser();
    const res = await server.api<{ user: PublicUser }>('/api/admin/users', admin.token, { body: input });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: input.username, role: 'user', disabled: false });
    expect((await login(server.url, input.username, input.password)).user.id).toBe(res.body.user.id);
  });

  it('refuses a non-admin with 403 forbidden and an anonymous caller with 401, creating no one', async () => {
    const input = newUser();
    const asUser = await server.api('/api/admin/users', alice.token, { body: input });
    expect(asUser.status).toBe(403);
    expect(errorCode(asUser.body)).toBe('forbidden');
    const anonymous = await server.api('/api/admin/users', null, { body: input });
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous.body)).toBe('unauthenticated');
    expect(await server.storage.directory.userByUsername(input.username)).toBeNull();
  });
});

describe('a direct discussion started by both people at once', () => {
  // Appends that take a while, as over a network: both requests get past "does it exist?"
  // before either has inserted, so the unique key has to decide.
  const slow = useTestServer({
    wrapDocStore: (store) => Object.assign(new ControlledDocStore(store), { delayMs: 20 }),
  });

  it('creates one direct discussion when both people start it at the same moment', async () => {
    // Several pairs, each asking from both sides at once (twice each): every answer names the
    // same discussion, exactly one answer is a creation, and each person has one direct with the other.
    for (let round = 0; round < 5; round++) {
      const [u1, u2] = await Promise.all([createUser(slow), createUser(slow)]);
      const ask = (from: TestUser, to: TestUser) =>
        api<DiscussionSummary>(slow.url, '/api/discussions', from.token, {
          body: { memberIds: [to.user.id] },
        });
      const answers = await Promise.all([ask(u1, u2), ask(u2, u1), ask(u1, u2), ask(u2, u1)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      for (const me of [u1, u2]) {
        const mine = await api<{ discussions: DiscussionSummary[] }>(slow.url, '/api/discussions', me.token);
        expect(mine.body.discussions.map((d) => d.id)).toEqual([answers[0].body.id]);
      }
    }
  });
});
