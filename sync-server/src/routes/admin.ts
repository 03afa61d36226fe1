/** /api/admin/*: organisation admins only (session or API token), every request checked. */
import { Hono } from 'hono';
import { ErrorCode, type ApiTokenInfo } from '@palabre/shared';
import { AppError } from '../errors.js';
import { readJson } from '../http/body.js';
import { requireAdmin, requireUser, type Env } from '../http/context.js';
import type { AuditLog } from '../services/audit.js';
import { toPublicUser, type AuthService } from '../services/auth.js';
import type { DiscussionService } from '../services/discussions.js';
import type { MemberService } from '../services/members.js';
import type { UserAdminService } from '../services/users.js';
import type { Directory } from '../storage/types.js';
import { idParam } from './discussions.js';

export interface AdminDeps {
  auth: AuthService;
  directory: Directory;
  users: UserAdminService;
  discussions: DiscussionService;
  members: MemberService;
  audit: AuditLog;
}

export function adminRoutes(deps: AdminDeps) {
  const app = new Hono<Env>();
  app.use('/admin/*', requireUser(deps.auth), requireAdmin);
  app.use('/admin', requireUser(deps.auth), requireAdmin);

  app.get('/admin/users', async (c) =>
    c.json({ users: (await deps.directory.listUsers()).map(toPublicUser) }),
  );

  app.post('/admin/users', async (c) => {
    const input = await readJson(c, 'CreateUserInput');
    return c.json({ user: toPublicUser(await deps.users.create(c.get('user'), input)) }, 201);
  });

  app.patch('/admin/users/:id', async (c) => {
    const patch = await readJson(c, 'UpdateUserInput');
    const id = idParam(c.req.param('id'), ErrorCode.UserNotFound);
    return c.json({ user: toPublicUser(await deps.users.update(c.get('user'), id, patch)) });
  });

  app.post('/admin/users/:id/disable', async (c) => {
    const id = idParam(c.req.param('id'), ErrorCode.UserNotFound);
    return c.json({ user: toPublicUser(await deps.users.update(c.get('user'), id, { disabled: true })) });
  });

  app.post('/admin/users/:id/enable', async (c) => {
    const id = idParam(c.req.param('id'), ErrorCode.UserNotFound);
    return c.json({ user: toPublicUser(await deps.users.update(c.get('user'), id, { disabled: false })) });
  });

  app.get('/admin/discussions', async (c) => c.json({ discussions: await deps.discussions.listAll() }));

  app.patch('/admin/discussions/:id', async (c) => {
    const { title } = await readJson(c, 'RenameDiscussionInput');
    return c.json(await deps.discussions.rename(c.get('user'), idParam(c.req.param('id')), title));
  });

  app.post('/admin/discussions/:id/members', async (c) => {
    const { userId, role } = await readJson(c, 'AddMemberInput');
    return c.json(await deps.members.add(c.get('user'), idParam(c.req.param('id')), userId, role), 201);
  });

  app.patch('/admin/discussions/:id/members/:userId', async (c) => {
    const { role } = await readJson(c, 'SetRoleInput');
    const userId = idParam(c.req.param('userId'), ErrorCode.UserNotFound);
    return c.json(await deps.members.setRole(c.get('user'), idParam(c.req.param('id')), userId, role));
  });

  app.delete('/admin/discussions/:id/members/:userId', async (c) => {
    const userId = idParam(c.req.param('userId'), ErrorCode.UserNotFound);
    return c.json(await deps.members.remove(c.get('user'), idParam(c.req.param('id')), userId));
  });

  app.get('/admin/audit', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    const before = c.req.query('before') ? Number(c.req.query('before')) : undefined;
    return c.json({ entries: await deps.audit.list(limit, before) });
  });

  app.get('/admin/tokens', async (c) => {
    const tokens = await deps.auth.listApiTokens();
    return c.json({
      tokens: tokens.map((t): ApiTokenInfo => ({
        id: t.id,
        label: t.label ?? '',
        userId: t.userId,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        lastUsedAt: t.lastSeenAt,
      })),
    });
  });

  app.delete('/admin/tokens/:id', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9a-f]{1,64}$/.test(id)) throw new AppError(ErrorCode.TokenNotFound, 'Unknown API token');
    await deps.users.revokeToken(c.get('user'), id);
    return c.body(null, 204);
  });

  app.post('/admin/tokens', async (c) => {
    const { label } = await readJson(c, 'CreateTokenInput');
    return c.json({ token: await deps.users.createToken(c.get('user'), label), label }, 201);
  });

  return app;
}
