/** /api/discussions: list, start, read and rename discussions, and manage their members. */
import { Hono } from 'hono';
import { Action, DiscussionKind, ErrorCode, can, isId } from '@palabre/shared';
import { readJson } from '../http/body.js';
import { requireUser, type Env } from '../http/context.js';
import { AppError, forbidden } from '../errors.js';
import type { AuthService } from '../services/auth.js';
import type { DiscussionService } from '../services/discussions.js';
import type { MemberService } from '../services/members.js';

export const idParam = (raw: string, code: ErrorCode = ErrorCode.DiscussionNotFound) => {
  if (!isId(raw)) throw new AppError(code, 'No such id');
  return raw;
};

export function discussionRoutes(auth: AuthService, discussions: DiscussionService, members: MemberService) {
  const app = new Hono<Env>();
  app.use('/discussions', requireUser(auth));
  app.use('/discussions/*', requireUser(auth));

  app.get('/discussions', async (c) => c.json({ discussions: await discussions.listFor(c.get('user').id) }));

  app.post('/discussions', async (c) => {
    const input = await readJson(c, 'CreateDiscussionInput');
    const { summary, created } = await discussions.create(c.get('user'), input.memberIds, input.title);
    return c.json(summary, created ? 201 : 200);
  });

  app.get('/discussions/:id', async (c) => {
    const { row } = await discussions.access(idParam(c.req.param('id')), c.get('user').id);
    return c.json(await discussions.summary(row));
  });

  app.patch('/discussions/:id', async (c) => {
    const user = c.get('user');
    const id = idParam(c.req.param('id'));
    const row = await discussions.get(id);
    const role = await discussions.roleOf(id, user.id);
    if (!role && user.role !== 'admin') throw new AppError(ErrorCode.NotMember, 'Not a member');
    const { title } = await readJson(c, 'RenameDiscussionInput');
    if (row.kind !== DiscussionKind.Group)
      throw new AppError(ErrorCode.DirectDiscussion, 'A direct discussion has no name to change');
    if (!can(role, Action.Rename, user.role))
      throw forbidden('Only owners, moderators and admins rename a group');
    return c.json(await discussions.rename(user, row.id, title));
  });

  app.post('/discussions/:id/members', async (c) => {
    const { userId, role } = await readJson(c, 'AddMemberInput');
    return c.json(await members.add(c.get('user'), idParam(c.req.param('id')), userId, role), 201);
  });

  app.patch('/discussions/:id/members/:userId', async (c) => {
    const { role } = await readJson(c, 'SetRoleInput');
    const userId = idParam(c.req.param('userId'), ErrorCode.UserNotFound);
    return c.json(await members.setRole(c.get('user'), idParam(c.req.param('id')), userId, role));
  });

  app.delete('/discussions/:id/members/:userId', async (c) => {
    const userId = idParam(c.req.param('userId'), ErrorCode.UserNotFound);
    return c.json(await members.remove(c.get('user'), idParam(c.req.param('id')), userId));
  });

  return app;
}
