/** GET /api/users (the directory) and the admin user endpoints. */
import { Hono } from 'hono';
import { CreateUserInput } from '@palabre/shared';
import { readJson } from '../http/body.js';
import { requireAdmin, requireUser, type Env } from '../http/context.js';
import { toPublicUser, type AuthService } from '../services/auth.js';
import type { Directory } from '../storage/types.js';

export function userRoutes(auth: AuthService, directory: Directory) {
  const app = new Hono<Env>();
  app.use('/users', requireUser(auth));
  app.use('/admin/*', requireUser(auth), requireAdmin);

  app.get('/users', async (c) => {
    const users = await directory.listUsers();
    return c.json({ users: users.filter((u) => !u.disabled).map(toPublicUser) });
  });

  app.get('/admin/users', async (c) => c.json({ users: (await directory.listUsers()).map(toPublicUser) }));

  app.post('/admin/users', async (c) => {
    const input = await readJson(c, CreateUserInput);
    const user = await auth.createUser(input);
    return c.json({ user: toPublicUser(user) }, 201);
  });

  return app;
}
