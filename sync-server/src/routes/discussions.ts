/** /api/discussions: list, start, read and rename discussions. */
import { Hono } from 'hono';
import { z } from 'zod';
import { Action, CreateDiscussionInput, DiscussionKind, ErrorCode, LIMITS, can, isId } from '@palabre/shared';
import { readJson } from '../http/body.js';
import { requireUser, type Env } from '../http/context.js';
import { HttpError, forbidden } from '../http/errors.js';
import type { AuthService } from '../services/auth.js';
import type { DiscussionService } from '../services/discussions.js';

const RenameInput = z.object({ title: z.string().trim().min(1).max(LIMITS.titleMax) });

export function discussionRoutes(auth: AuthService, discussions: DiscussionService) {
  const app = new Hono<Env>();
  app.use('/discussions', requireUser(auth));
  app.use('/discussions/*', requireUser(auth));

  const idParam = (raw: string) => {
    if (!isId(raw)) throw new HttpError(404, ErrorCode.DiscussionNotFound, 'This discussion does not exist');
    return raw;
  };

  app.get('/discussions', async (c) => c.json({ discussions: await discussions.listFor(c.get('user').id) }));

  app.post('/discussions', async (c) => {
    const input = await readJson(c, CreateDiscussionInput);
    const { summary, created } = await discussions.create(c.get('user').id, input.memberIds, input.title);
    return c.json(summary, created ? 201 : 200);
  });

  app.get('/discussions/:id', async (c) => {
    const { row } = await discussions.access(idParam(c.req.param('id')), c.get('user').id);
    return c.json(await discussions.summary(row));
  });

  app.patch('/discussions/:id', async (c) => {
    const user = c.get('user');
    const { row, role } = await discussions.access(idParam(c.req.param('id')), user.id);
    const { title } = await readJson(c, RenameInput);
    if (row.kind !== DiscussionKind.Group) throw forbidden('A direct discussion has no name to change');
    if (!can(role, Action.Rename, user.role)) throw forbidden('Only owners and moderators can rename');
    return c.json(await discussions.rename(row.id, title));
  });

  return app;
}
