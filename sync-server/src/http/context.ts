/** What handlers find on the Hono context, and the middleware that puts the user there. */
import type { MiddlewareHandler } from 'hono';
import { forbidden, unauthenticated } from '../errors.js';
import type { AuthService } from '../services/auth.js';
import type { UserRow } from '../storage/types.js';
import { tokenFrom } from './token.js';

export interface Env {
  Variables: { user: UserRow; token: string };
}

export function requireUser(auth: AuthService): MiddlewareHandler<Env> {
  return async (c, next) => {
    const token = tokenFrom(
      { cookie: c.req.header('cookie'), authorization: c.req.header('authorization') },
      new URL(c.req.url),
    );
    const user = await auth.authenticate(token);
    if (!user || !token) throw unauthenticated();
    c.set('user', user);
    c.set('token', token);
    await next();
  };
}

export const requireAdmin: MiddlewareHandler<Env> = async (c, next) => {
  if (c.get('user').role !== 'admin') throw forbidden('This requires an organisation admin');
  await next();
};
