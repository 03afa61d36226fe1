/** /api/admin/backups: start a backup (202, where it goes) and list the backups folder. Admins only. */
import { Hono } from 'hono';
import { requireAdmin, requireUser, type Env } from '../http/context.js';
import type { AuthService } from '../services/auth.js';
import type { BackupService } from '../services/backups.js';

export function backupRoutes(auth: AuthService, backups: BackupService) {
  const app = new Hono<Env>();
  app.use('/admin/backups', requireUser(auth), requireAdmin);
  app.post('/admin/backups', async (c) =>
    c.json({ backup: await backups.start(c.get('user').id), dir: backups.dir }, 202),
  );
  app.get('/admin/backups', async (c) => c.json({ backups: await backups.list(), dir: backups.dir }));
  return app;
}
