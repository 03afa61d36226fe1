/**
 * Retention (admins: GET/PUT /api/admin/retention, PUT /api/admin/discussions/:id/retention,
 * POST /api/admin/retention/preview and /run) and archives (POST /api/discussions/:id/archive and
 * /unarchive: owners, moderators and admins; the service checks).
 */
import { Hono } from 'hono';
import { readJson } from '../http/body.js';
import { requireAdmin, requireUser, type Env } from '../http/context.js';
import type { ArchiveService } from '../services/archives.js';
import type { AuthService } from '../services/auth.js';
import type { RetentionService } from '../services/retention.js';
import { idParam } from './discussions.js';

export function retentionRoutes(auth: AuthService, retention: RetentionService, archives: ArchiveService) {
  const app = new Hono<Env>();
  app.use('/admin/retention', requireUser(auth), requireAdmin);
  app.use('/admin/retention/*', requireUser(auth), requireAdmin);
  app.use('/admin/discussions/:id/retention', requireUser(auth), requireAdmin);
  app.use('/discussions/:id/archive', requireUser(auth));
  app.use('/discussions/:id/unarchive', requireUser(auth));

  app.get('/admin/retention', async (c) => c.json(await retention.describe()));

  app.put('/admin/retention', async (c) => {
    const policy = await readJson(c, 'RetentionPolicyInput');
    return c.json(await retention.setPolicy(c.get('user'), policy));
  });

  app.put('/admin/discussions/:id/retention', async (c) => {
    const id = idParam(c.req.param('id'));
    const { days } = await readJson(c, 'RetentionOverrideInput');
    return c.json(await retention.setOverride(c.get('user'), id, days));
  });

  app.post('/admin/retention/preview', async (c) => {
    // The body is optional: none (or {}) previews the saved policy.
    const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding');
    const trial = hasBody ? await readJson(c, 'RetentionPreviewInput') : {};
    return c.json(await retention.preview(trial));
  });

  app.post('/admin/retention/run', async (c) => c.json(await retention.run(c.get('user'))));

  app.post('/discussions/:id/archive', async (c) =>
    c.json(await archives.set(c.get('user'), idParam(c.req.param('id')), true)),
  );
  app.post('/discussions/:id/unarchive', async (c) =>
    c.json(await archives.set(c.get('user'), idParam(c.req.param('id')), false)),
  );

  return app;
}
