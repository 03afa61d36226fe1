/** What handlers find on the Hono context, and the middleware that puts the user there. */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { forbidden, unauthenticated } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuthService, ClientInfo } from '../services/auth.js';
import type { SessionRow, UserRow } from '../storage/types.js';
import { tokenFrom } from './token.js';

export interface Env {
  Variables: {
    user: UserRow;
    token: string;
    session: SessionRow;
    jsonBodyBytes: number;
    trustProxy: boolean;
    log: Logger;
    requestId: string;
  };
}

export function requireUser(auth: AuthService): MiddlewareHandler<Env> {
  return async (c, next) => {
    const token = tokenFrom(
      { cookie: c.req.header('cookie'), authorization: c.req.header('authorization') },
      new URL(c.req.url),
    );
    const authed = await auth.authenticateSession(token);
    if (!authed || !token) throw unauthenticated();
    c.set('user', authed.user);
    c.set('session', authed.session);
    c.set('token', token);
    await next();
  };
}

export const requireAdmin: MiddlewareHandler<Env> = async (c, next) => {
  if (c.get('user').role !== 'admin') throw forbidden('This requires an organisation admin');
  await next();
};

/**
 * The client's address (for login throttling and the audit log): the TCP peer, or with
 * PALABRE_TRUST_PROXY the first address of X-Forwarded-For, which only a trusted proxy may set.
 */
export function clientInfo(c: Context<Env>): ClientInfo {
  let address = 'unknown';
  const forwarded = c.get('trustProxy') ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  if (forwarded) address = forwarded;
  else {
    try {
      address = getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      // Not running on Node (app.request in a unit test): no peer address.
    }
  }
  return { address, userAgent: c.req.header('user-agent') ?? null };
}
