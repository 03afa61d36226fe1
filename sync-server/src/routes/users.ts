/** GET /api/users: the directory of colleagues (active accounts). */
import { Hono } from 'hono';
import { requireUser, type Env } from '../http/context.js';
import { toPublicUser, type AuthService } from '../services/auth.js';
import type { Directory } from '../storage/types.js';

export function userRoutes(auth: AuthService, directory: Directory) {
  const app = new Hono<Env>();
  app.use('/users', requireUser(auth));

  app.get('/users', async (c) => {
    const users = await directory.listUsers();
    return c.json({ users: users.filter((u) => !u.disabled).map(toPublicUser) });
  });

  return app;
}
