/** GET /api/me/sessions, DELETE /api/me/sessions/:id, DELETE /api/me/sessions (all but this one). */
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { ErrorCode, type SessionInfo } from '@palabre/shared';
import { AppError } from '../errors.js';
import { requireUser, type Env } from '../http/context.js';
import { SESSION_COOKIE } from '../http/token.js';
import type { AuthService } from '../services/auth.js';
import type { SessionRow } from '../storage/types.js';

const toInfo = (s: SessionRow, currentId: string): SessionInfo => ({
  id: s.id,
  createdAt: s.createdAt,
  lastSeenAt: s.lastSeenAt,
  expiresAt: s.expiresAt,
  userAgent: s.userAgent,
  current: s.id === currentId,
});

export function sessionRoutes(auth: AuthService) {
  const app = new Hono<Env>();
  app.use('/me/sessions', requireUser(auth));
  app.use('/me/sessions/*', requireUser(auth));

  app.get('/me/sessions', async (c) => {
    const current = c.get('session');
    const sessions = await auth.sessionsOf(c.get('user').id);
    return c.json({ sessions: sessions.map((s) => toInfo(s, current.id)) });
  });

  app.delete('/me/sessions', async (c) => {
    const ended = await auth.endOtherSessions(c.get('user').id, c.get('session').id);
    return c.json({ ended });
  });

  app.delete('/me/sessions/:id', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9a-f]{1,64}$/.test(id)) throw new AppError(ErrorCode.SessionNotFound, 'Unknown session');
    const ended = await auth.endSession(c.get('user').id, id);
    // Ending the session I am using is signing out here.
    if (ended.id === c.get('session').id) deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  return app;
}
