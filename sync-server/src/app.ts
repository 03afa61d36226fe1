/** createApp(deps): the REST API and the web app as one Hono app. No I/O at import time. */
// hono/quick (LinearRouter): the default RegExpRouter compiles every route into one matcher on the
// first request, about 1.5 MiB resident for ours (ARCHITECTURE.md, "Idle memory"); matching a path
// against our few dozen routes one by one costs microseconds, and no sync frame goes through it.
import { Hono } from 'hono/quick';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { ErrorCode } from '@palabre/shared';
import { AppError } from './errors.js';
import { STATUS_OF } from './http/errors.js';
import type { Env } from './http/context.js';
import { requireOwnOrigin, type OriginPolicy } from './http/origin.js';
import { securityHeaders } from './http/security-headers.js';
import { staticApp } from './http/static.js';
import type { Limits } from './limits.js';
import { backupRoutes } from './routes/backups.js';
import { sessionRoutes } from './routes/sessions.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { discussionRoutes } from './routes/discussions.js';
import { fileRoutes } from './routes/files.js';
import { retentionRoutes } from './routes/retention.js';
import { userRoutes } from './routes/users.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { monotonicMs } from './clock.js';
import type { Logger } from './log.js';
import type { ArchiveService } from './services/archives.js';
import type { AuditLog } from './services/audit.js';
import type { AuthService } from './services/auth.js';
import type { BackupService } from './services/backups.js';
import type { DiscussionService } from './services/discussions.js';
import type { FileService } from './services/files.js';
import type { MemberService } from './services/members.js';
import type { RetentionService } from './services/retention.js';
import type { UserAdminService } from './services/users.js';
import { StorageUnavailableError, type Storage } from './storage/types.js';

/** The services behind the routes (a RunningServer exposes the same ones to tests and the bench). */
export interface Services {
  auth: AuthService;
  discussions: DiscussionService;
  members: MemberService;
  users: UserAdminService;
  files: FileService;
  backups: BackupService;
  archives: ArchiveService;
  retention: RetentionService;
}

export interface AppDeps extends Services {
  storage: Storage;
  audit: AuditLog;
  webRoot: string | null;
  version: string;
  limits: Limits;
  origins: OriginPolicy;
  /** PUBLIC_URL is https: Secure cookies and HSTS. */
  https: boolean;
  trustProxy: boolean;
  logger: Logger;
  readiness: () => Promise<Readiness>;
}

/** Probes and static files are logged at debug: at info they would drown the requests that matter. */
const quiet = (path: string) => !path.startsWith('/api/') || path.startsWith('/api/health');

/** The OpenAPI description is only built when someone asks for it, not at every start. */
let openApi: Promise<typeof import('./openapi.js')> | null = null;
const loadOpenApi = () => (openApi ??= import('./openapi.js'));

export function createApp(deps: AppDeps) {
  const app = new Hono<Env>();
  const api = new Hono<Env>();

  // One id per request, in the X-Request-Id response header and on every log line of the request.
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = monotonicMs();
    const log = deps.logger.child({ reqId: c.get('requestId') });
    c.set('log', log);
    await next();
    // The path only: a query string may hold a `token`.
    const line = { event: 'request', method: c.req.method, path: c.req.path, status: c.res.status };
    log[quiet(c.req.path) ? 'debug' : 'info'](
      { ...line, ms: Math.round(monotonicMs() - started) },
      'request',
    );
  });

  app.use(securityHeaders({ https: deps.https }));
  app.use('/api/*', async (c, next) => {
    c.set('jsonBodyBytes', deps.limits.jsonBodyBytes);
    c.set('trustProxy', deps.trustProxy);
    await next();
  });
  const capBody = bodyLimit({
    maxSize: deps.limits.jsonBodyBytes,
    onError: () => {
      throw new AppError(
        ErrorCode.PayloadTooLarge,
        `The request body exceeds ${deps.limits.jsonBodyBytes} bytes`,
      );
    },
  });
  // Bodies are capped while they stream in (a chunked body has no length to check up front).
  // Uploads (octet-stream, multipart) have their own, larger cap on their route.
  app.use('/api/*', async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (/^(application\/octet-stream|multipart\/)/i.test(type)) return next();
    return capBody(c, next);
  });
  app.use('/api/*', requireOwnOrigin(deps.origins));

  api.route('/', healthRoutes(deps.version, deps.readiness));
  api.route('/', authRoutes(deps.auth, { secureCookies: deps.https, maxFileBytes: deps.files.maxBytes }));
  api.route('/', sessionRoutes(deps.auth));
  api.route('/', userRoutes(deps.auth, deps.storage.directory));
  api.get('/openapi.json', async (c) => c.json((await loadOpenApi()).openApiDocument(deps.version)));
  api.get('/docs', async (c) => {
    const { openApiDocument, openApiHtml } = await loadOpenApi();
    return c.html(openApiHtml(openApiDocument(deps.version)));
  });
  api.route('/', discussionRoutes(deps.auth, deps.discussions, deps.members));
  api.route('/', fileRoutes(deps.auth, deps.files));
  api.route('/', retentionRoutes(deps.auth, deps.retention, deps.archives));
  api.route(
    '/',
    adminRoutes({
      auth: deps.auth,
      directory: deps.storage.directory,
      users: deps.users,
      discussions: deps.discussions,
      members: deps.members,
      audit: deps.audit,
    }),
  );
  api.route('/', backupRoutes(deps.auth, deps.backups));
  api.all('*', (c) => c.json({ error: { code: ErrorCode.NotFound, message: 'No such endpoint' } }, 404));

  app.route('/api', api);
  if (deps.webRoot) app.get('*', staticApp(deps.webRoot));

  app.onError((err, c) => {
    if (err instanceof AppError) {
      // A throttled login says when to come back.
      const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      return c.json(
        { error: { code: err.code, message: err.message, details: err.details } },
        STATUS_OF[err.code],
        retry ? { 'Retry-After': String(retry) } : undefined,
      );
    }
    if (err instanceof StorageUnavailableError) {
      (c.get('log') ?? deps.logger).error(
        { event: 'storage_unavailable', path: c.req.path, err: err.cause },
        'storage unavailable',
      );
      return c.json(
        {
          error: { code: ErrorCode.StorageUnavailable, message: 'Storage is unreachable: try again shortly' },
        },
        503,
      );
    }
    (c.get('log') ?? deps.logger).error({ event: 'internal_error', path: c.req.path, err }, 'internal error');
    return c.json({ error: { code: ErrorCode.Internal, message: 'Internal error' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: ErrorCode.NotFound, message: 'Not found' } }, 404));
  return app;
}
