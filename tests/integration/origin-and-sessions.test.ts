/**
 * Browser-grade protections over real HTTP and WebSockets: cross-site requests refused, login
 * throttled, sessions listed and ended, API tokens revoked with their sockets closed at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ErrorCode, type ApiTokenInfo, type AuditEntry, type SessionInfo } from '@palabre/shared';
import {
  api,
  closeCode,
  createAdmin,
  createDiscussion,
  createUser,
  rawSocket,
  refusalStatus,
  removeDataDir,
  sleep,
  startTestServer,
  type TestServer,
  type TestUser,
  until,
} from './helpers.js';

/** "At once": a close that has not come within a few seconds is a failure, not a hang. */
const within = <T>(promise: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)),
  ]);

interface LoginAnswer {
  token?: string;
  error?: { code: string; message: string };
}

const EVIL = 'https://evil.intranet.example';

let server: TestServer;
let alice: TestUser, bob: TestUser, carol: TestUser;
let discussionId: string;

beforeAll(async () => {
  server = await startTestServer({
    allowedOrigins: 'https://chat-dev.example.com',
    limits: { loginFreeAttemptsPerAccount: 3, loginBaseDelayMs: 1000 },
  });
  alice = await createUser(server, 'Alice');
  bob = await createUser(server, 'Bob');
  carol = await createUser(server, 'Carol');
  discussionId = (await createDiscussion(server.url, alice, [bob])).id;
});
afterAll(async () => {
  await server.close();
  removeDataDir(server.dataDir);
});

const host = () => new URL(server.url).host;
const wsUrl = (path: string) => `${server.url.replace(/^http/, 'ws')}${path}`;
const cookie = (token: string) => `palabre_session=${encodeURIComponent(token)}`;

async function post(path: string, headers: Record<string, string>, body: unknown = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as LoginAnswer) : null,
  };
}

describe('cross-site requests', () => {
  it('refuses a foreign Origin with a valid cookie at the WebSocket upgrade, before any byte', async () => {
    for (const path of [`/sync/${discussionId}`, '/api/events']) {
      expect(await refusalStatus(wsUrl(path), { cookie: cookie(alice.token), origin: EVIL })).toBe(403);
      // A sibling subdomain is another origin too, however same-site it is.
      const sibling = `http://evil.${host()}`;
      expect(await refusalStatus(wsUrl(path), { cookie: cookie(alice.token), origin: sibling })).toBe(403);
      // No Origin at all with a cookie: not a browser page of ours either.
      expect(await refusalStatus(wsUrl(path), { cookie: cookie(alice.token) })).toBe(403);
    }
    // The app's own page (same host) and an origin from ALLOWED_ORIGINS are accepted.
    for (const origin of [`http://${host()}`, 'https://chat-dev.example.com']) {
      const ws = await rawSocket(wsUrl(`/sync/${discussionId}`), { cookie: cookie(alice.token), origin });
      await until(() => ws.frames.length > 0, 10_000, 'the greeting');
      ws.close();
    }
  });

  it('keeps Bearer and ?token= clients working whatever their Origin says', async () => {
    const bearer = await rawSocket(wsUrl(`/sync/${discussionId}`), {
      authorization: `Bearer ${alice.token}`,
      origin: EVIL,
    });
    bearer.close();
    const query = await rawSocket(wsUrl(`/sync/${discussionId}?token=${alice.token}`), { origin: EVIL });
    query.close();
    const rest = await post(
      '/api/discussions',
      { authorization: `Bearer ${alice.token}`, origin: EVIL },
      {
        memberIds: [bob.user.id, carol.user.id],
        title: 'Par script',
      },
    );
    expect(rest.status).toBe(201);
  });

  it('refuses a state-changing REST call authenticated by the cookie from a foreign Origin', async () => {
    const body = { memberIds: [bob.user.id, carol.user.id], title: 'Forgée' };
    const forged = await post('/api/discussions', { cookie: cookie(alice.token), origin: EVIL }, body);
    expect(forged.status).toBe(403);
    expect(forged.body?.error?.code).toBe(ErrorCode.CrossOrigin);
    const noOrigin = await post('/api/discussions', { cookie: cookie(alice.token) }, body);
    expect(noOrigin.status).toBe(403);
    // Nothing was created by the refused calls.
    const mine = await api<{ discussions: { title: string | null }[] }>(
      server.url,
      '/api/discussions',
      alice.token,
    );
    expect(mine.body.discussions.map((d) => d.title)).not.toContain('Forgée');
    // The same call from the app's own page works, and reading stays possible from anywhere.
    const own = await post(
      '/api/discussions',
      { cookie: cookie(alice.token), origin: `http://${host()}` },
      body,
    );
    expect(own.status).toBe(201);
    const read = await fetch(`${server.url}/api/me`, {
      headers: { cookie: cookie(alice.token), origin: EVIL },
    });
    expect(read.status).toBe(200);
    // Logging in from a foreign page (login CSRF) is refused too.
    const login = await post('/api/auth/login', { origin: EVIL }, { username: 'x', password: 'y' });
    expect(login.status).toBe(403);
  });
});

describe('login throttling', () => {
  it('answers 429 too_many_attempts with Retry-After after the free attempts; the right password works after the delay', async () => {
    const victim = await createUser(server, 'Victim');
    const username = victim.user.username;
    const attempt = (password: string) => post('/api/auth/login', {}, { username, password });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt('password123');
    expect(locked.status).toBe(429);
    expect(locked.body?.error?.code).toBe(ErrorCode.TooManyAttempts);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await sleep(retryAfter * 1000 + 100);
    const ok = await attempt('password123');
    expect(ok.status).toBe(200);
    expect(ok.body?.token).toEqual(expect.any(String));
  });

  it('gives an unknown account exactly the same answers', async () => {
    const attempt = () => post('/api/auth/login', {}, { username: 'nobody-here', password: 'whatever1' });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await attempt());
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect(answers[0].body).toEqual({
      error: { code: ErrorCode.InvalidCredentials, message: 'Wrong username or password' },
    });
    expect(answers[3].body?.error?.code).toBe(ErrorCode.TooManyAttempts);
  });

  it('writes failed logins to the audit log', async () => {
    const { token } = await createAdmin(server, 'auditor');
    const { body } = await api<{ entries: AuditEntry[] }>(server.url, '/api/admin/audit?limit=500', token);
    const failed = body.entries.filter((e) => e.action === 'auth.login_failed');
    expect(failed.map((e) => e.details.username)).toContain('nobody-here');
    // The password is never written anywhere in the log.
    expect(JSON.stringify(body.entries)).not.toContain('wrong-password');
  });
});

describe('sessions', () => {
  it('lists my sessions and ends one: its socket closes at once with 4401 and it is refused after', async () => {
    const laptop = await post(
      '/api/auth/login',
      { 'user-agent': 'Laptop Firefox' },
      {
        username: bob.user.username,
        password: 'password123',
      },
    );
    const phone = await post(
      '/api/auth/login',
      { 'user-agent': 'Phone Safari' },
      {
        username: bob.user.username,
        password: 'password123',
      },
    );
    const laptopToken = laptop.body!.token as string;
    const phoneToken = phone.body!.token as string;
    const { body } = await api<{ sessions: SessionInfo[] }>(server.url, '/api/me/sessions', laptopToken);
    const agents = body.sessions.map((s) => s.userAgent);
    expect(agents).toEqual(expect.arrayContaining(['Laptop Firefox', 'Phone Safari']));
    expect(body.sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['Laptop Firefox']);

    const phoneSocket = await rawSocket(wsUrl(`/sync/${discussionId}?token=${phoneToken}`));
    const closed = closeCode(phoneSocket);
    const phoneId = body.sessions.find((s) => s.userAgent === 'Phone Safari')!.id;
    const end = await api(server.url, `/api/me/sessions/${phoneId}`, laptopToken, { method: 'DELETE' });
    expect(end.status).toBe(204);
    expect(await within(closed)).toBe(CloseCode.Unauthorized);
    expect((await api(server.url, '/api/me', phoneToken)).status).toBe(401);
    expect((await api(server.url, '/api/me', laptopToken)).status).toBe(200);
    // Someone else's session id is unknown to me.
    const other = await api(server.url, `/api/me/sessions/${phoneId}`, alice.token, { method: 'DELETE' });
    expect(other.status).toBe(404);
  });

  it('ends every other session at once, keeping this one', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++)
      tokens.push(
        (await post('/api/auth/login', {}, { username: alice.user.username, password: 'password123' })).body!
          .token as string,
      );
    const events = new WebSocket(wsUrl(`/api/events?token=${tokens[1]}`));
    await new Promise((resolve) => events.once('open', resolve));
    const closed = closeCode(events);
    const res = await api<{ ended: number }>(server.url, '/api/me/sessions', tokens[0], { method: 'DELETE' });
    expect(res.body.ended).toBeGreaterThanOrEqual(3);
    expect(await within(closed)).toBe(CloseCode.Unauthorized);
    expect((await api(server.url, '/api/me', tokens[0])).status).toBe(200);
    for (const t of [tokens[1], tokens[2], alice.token])
      expect((await api(server.url, '/api/me', t)).status).toBe(401);
    const left = await api<{ sessions: SessionInfo[] }>(server.url, '/api/me/sessions', tokens[0]);
    expect(left.body.sessions).toHaveLength(1);
    alice = { user: alice.user, token: tokens[0] };
  });

  it('ends a session unused for longer than the idle timeout', async () => {
    const idle = await startTestServer({ limits: { sessionIdleMs: 1500 } });
    try {
      const carol = await createUser(idle, 'Carol');
      // Used regularly: stays open past the idle timeout.
      for (let i = 0; i < 4; i++) {
        await sleep(500);
        expect((await api(idle.url, '/api/me', carol.token)).status).toBe(200);
      }
      await sleep(2000);
      expect((await api(idle.url, '/api/me', carol.token)).status).toBe(401);
    } finally {
      await idle.close();
      removeDataDir(idle.dataDir);
    }
  });
});

describe('API tokens', () => {
  it('lists every token with an id; revoking one closes its live socket with 4401 at once', async () => {
    const { token: adminToken, user: admin } = await createAdmin(server, 'tokenadmin');
    const created = await api<{ token: string }>(server.url, '/api/admin/tokens', adminToken, {
      body: { label: 'Export nocturne' },
    });
    expect(created.status).toBe(201);
    const scriptToken = created.body.token;
    const list = await api<{ tokens: ApiTokenInfo[] }>(server.url, '/api/admin/tokens', adminToken);
    const info = list.body.tokens.find((t) => t.label === 'Export nocturne')!;
    expect(info.id).toMatch(/^[0-9a-f]+$/);
    expect(info.userId).toBe(admin.id);
    expect(JSON.stringify(list.body)).not.toContain(scriptToken);

    const events = new WebSocket(wsUrl('/api/events'), {
      headers: { authorization: `Bearer ${scriptToken}` },
    });
    await new Promise((resolve) => events.once('open', resolve));
    const closed = closeCode(events);
    const revoke = await api(server.url, `/api/admin/tokens/${info.id}`, adminToken, { method: 'DELETE' });
    expect(revoke.status).toBe(204);
    expect(await within(closed)).toBe(CloseCode.Unauthorized);
    expect((await api(server.url, '/api/admin/users', scriptToken)).status).toBe(401);
    const after = await api<{ tokens: ApiTokenInfo[] }>(server.url, '/api/admin/tokens', adminToken);
    expect(after.body.tokens.map((t) => t.id)).not.toContain(info.id);
    const again = await api<{ error: { code: string } }>(
      server.url,
      `/api/admin/tokens/${info.id}`,
      adminToken,
      {
        method: 'DELETE',
      },
    );
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe(ErrorCode.TokenNotFound);
    // Not for non-admins.
    expect(
      (await api(server.url, `/api/admin/tokens/${info.id}`, bob.token, { method: 'DELETE' })).status,
    ).toBe(403);
  });
});

describe('API description', () => {
  it('describes the session and token endpoints in /api/openapi.json', async () => {
    const { body } = await api<{ paths: Record<string, Record<string, unknown>> }>(
      server.url,
      '/api/openapi.json',
      null,
    );
    expect(Object.keys(body.paths['/api/me/sessions'])).toEqual(['get', 'delete']);
    expect(Object.keys(body.paths['/api/me/sessions/{id}'])).toEqual(['delete']);
    expect(Object.keys(body.paths['/api/admin/tokens/{id}'])).toEqual(['delete']);
    expect(JSON.stringify(body)).toContain('too_many_attempts');
  });
});
