import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, ensureAdmin } from '@palabre/sync-server';
import { useTestServer } from './server-fixture.js';

describe('health', () => {
  const server = useTestServer();

  it('is not ready (503 not_ready) before the first admin exists, ready (200) right after; alive all along', async () => {
    const before = await server.api<{ status: string; checks: unknown; error: { code: string } }>(
      '/api/health',
      null,
    );
    expect(before.status).toBe(503);
    expect(before.body.error.code).toBe('not_ready');
    expect(before.body.checks).toEqual({ storage: 'ok', admin: 'missing' });
    expect((await server.api('/api/health/live', null)).status).toBe(200);

    // A colleague's account is not an admin: still not ready.
    await server.createUser('Colleague');
    expect((await server.api('/api/health', null)).status).toBe(503);

    await ensureAdmin(server, 'admin', 'admin-password-123');
    const after = await server.api<{ status: string; checks: unknown }>('/api/health', null);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'ok', checks: { storage: 'ok', admin: 'ok' } });
    // Ready means an admin can log in at once.
    const login = await server.api('/api/auth/login', null, {
      body: { username: 'admin', password: 'admin-password-123' },
    });
    expect(login.status).toBe(200);
  });
});

describe('structured logs', () => {
  const fixture = useTestServer({}, { autoStart: false });

  it('log every API request with its request id, and never a password, token or cookie', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const server = await fixture.start({ logger: createLogger({ level: 'debug', destination: sink }) });
    await ensureAdmin(server, 'admin', 'a-secret-password');

    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-login-1' },
      body: JSON.stringify({ username: 'admin', password: 'a-secret-password' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-login-1');
    const { token } = (await res.json()) as { token: string };
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toContain(token);
    // The token in every place a client may put it.
    await fetch(`${server.url}/api/me?token=${token}`);
    await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: cookie.split(';')[0] } });
    expect(me.status).toBe(200);
    const generated = me.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    // A failing request logs its error too.
    await fetch(`${server.url}/api/auth/login`, { method: 'POST', body: 'not json' });

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.reqId === 'req-login-1')).toMatchObject({
      level: 'info',
      event: 'request',
      method: 'POST',
      path: '/api/auth/login',
      status: 200,
    });
    expect(parsed.find((l) => l.reqId === generated)).toMatchObject({ path: '/api/me', status: 200 });
    expect(parsed.some((l) => l.path === '/api/auth/login' && l.status === 400)).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('a-secret-password');
  });

  it('redact secret fields wherever a caller puts them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ destination: sink });
    logger.info(
      {
        password: 'p1',
        user: { token: 't1', name: 'visible' },
        req: { headers: { cookie: 'c1', authorization: 'Bearer b1', 'set-cookie': 's1', host: 'h' } },
      },
      'x',
    );
    const line = JSON.parse(lines[0]) as Record<string, never>;
    expect(line).toMatchObject({
      password: '[redacted]',
      user: { token: '[redacted]', name: 'visible' },
      req: {
        headers: { cookie: '[redacted]', authorization: '[redacted]', 'set-cookie': '[redacted]', host: 'h' },
      },
    });
  });
});
