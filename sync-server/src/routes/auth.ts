/** POST /api/auth/login, POST /api/auth/logout, GET /api/me. */
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { type LoginResult, type MeResult } from '@palabre/shared';
import { readJson } from '../http/body.js';
import { clientInfo, requireUser, type Env } from '../http/context.js';
import { SESSION_COOKIE } from '../http/token.js';
import { toPublicUser, type AuthService } from '../services/auth.js';

export function authRoutes(auth: AuthService, options: { secureCookies: boolean; maxFileBytes: number }) {
  const app = new Hono<Env>();

  app.post('/auth/login', async (c) => {
    const { username, password } = await readJson(c, 'LoginInput');
    const { token, user } = await auth.login(username, password, clientInfo(c));
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      // PUBLIC_URL on https (behind a TLS proxy the request itself looks like http).
      secure: options.secureCookies || new URL(c.req.url).protocol === 'https:',
      maxAge: Math.floor(auth.sessionTtlMs / 1000),
    });
    return c.json({ token, user: toPublicUser(user) } satisfies LoginResult);
  });

  app.post('/auth/logout', requireUser(auth), async (c) => {
    await auth.logout(c.get('token'));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/me', requireUser(auth), (c) =>
    c.json({
      user: toPublicUser(c.get('user')),
      serverTime: Date.now(),
      maxFileBytes: options.maxFileBytes,
    } satisfies MeResult),
  );

  return app;
}
