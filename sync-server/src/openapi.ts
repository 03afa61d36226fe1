/** The OpenAPI description of the REST API (/api/openapi.json) and a readable page of it (/api/docs). */
import { z } from 'zod';
import {
  AddMemberInput,
  CreateDiscussionInput,
  CreateTokenInput,
  CreateUserInput,
  ErrorCode,
  LoginInput,
  RenameDiscussionInput,
  RetentionOverrideInput,
  RetentionPolicyInput,
  RetentionPreviewInput,
  SetRoleInput,
  UpdateUserInput,
} from '@palabre/shared';

type Op = {
  summary: string;
  body?: z.ZodType;
  ok: number;
  admin?: boolean;
  auth?: boolean;
  errors?: number[];
  /** The body is multipart/form-data with the file in the field `file`. */
  upload?: boolean;
  /** The success response is the file's bytes, not JSON. */
  bytes?: boolean;
};

const uploadBody = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary' } },
      },
    },
  },
};

const ops: Record<string, Record<string, Op>> = {
  '/api/health': { get: { summary: 'Liveness and version', ok: 200, auth: false } },
  '/api/auth/login': {
    post: {
      summary: 'Log in; returns a token and sets the session cookie',
      body: LoginInput,
      ok: 200,
      auth: false,
      errors: [400, 401, 403, 413, 429],
    },
  },
  '/api/auth/logout': { post: { summary: 'End this session', ok: 204 } },
  '/api/me/sessions': {
    get: {
      summary: 'My browser sessions (created, last used, browser; `current` marks this one)',
      ok: 200,
    },
    delete: {
      summary: 'End all my other sessions; their open connections close at once (4401)',
      ok: 200,
    },
  },
  '/api/me/sessions/{id}': {
    delete: {
      summary: 'End one of my sessions; its open connections close at once (4401)',
      ok: 204,
      errors: [404],
    },
  },
  '/api/me': { get: { summary: 'The current user and the server time', ok: 200 } },
  '/api/users': { get: { summary: 'The directory of active colleagues', ok: 200 } },
  '/api/discussions': {
    get: { summary: 'My discussions, most recent activity first', ok: 200 },
    post: {
      summary: 'Start a discussion (one colleague: direct, reopened if it exists, 200; several: group, 201)',
      body: CreateDiscussionInput,
      ok: 201,
      errors: [400, 404, 413],
    },
  },
  '/api/discussions/{id}': {
    get: { summary: 'One discussion I am a member of', ok: 200, errors: [403, 404] },
    patch: {
      summary: 'Rename a group (owner, moderator, admin)',
      body: RenameDiscussionInput,
      ok: 200,
      errors: [400, 403, 404],
    },
  },
  '/api/discussions/{id}/archive': {
    post: {
      summary:
        'Archive a discussion (owner, moderator, admin): read-only for every role (rule `archived`), listed under « Archivées », still readable and searchable. Returns its summary (`archivedAt` set); asking twice changes nothing',
      ok: 200,
      errors: [403, 404],
    },
  },
  '/api/discussions/{id}/unarchive': {
    post: {
      summary:
        'Restore an archived discussion (owner, moderator, admin): writable again, back in the sidebar',
      ok: 200,
      errors: [403, 404],
    },
  },
  '/api/discussions/{id}/files': {
    post: {
      summary:
        "Upload a file to a discussion (members who may write): multipart/form-data, field `file`, at most MAX_FILE_BYTES (413 file_too_large); streamed to storage. 201 { id, name, type, size }: refer to it in a message's `files`",
      upload: true,
      ok: 201,
      errors: [400, 403, 404, 413],
    },
  },
  '/api/files/{fileId}': {
    get: {
      summary:
        "The file's bytes with its stored Content-Type, Content-Disposition (attachment for anything a browser could run) and nosniff; 404 for unknown ids and for non-members alike",
      bytes: true,
      ok: 200,
      errors: [404],
    },
  },
  '/api/files/{fileId}/preview': {
    get: {
      summary: 'A reduced image (WebP, at most 640 px) of an image file; 404 when the file has none',
      bytes: true,
      ok: 200,
      errors: [404],
    },
  },
  '/api/discussions/{id}/members': {
    post: {
      summary: 'Add a member (owner, moderator, admin)',
      body: AddMemberInput,
      ok: 201,
      errors: [403, 404, 409],
    },
  },
  '/api/discussions/{id}/members/{userId}': {
    patch: { summary: "Change a member's role", body: SetRoleInput, ok: 200, errors: [403, 404, 409] },
    delete: { summary: 'Remove a member, or leave when userId is me', ok: 200, errors: [403, 404, 409] },
  },
  '/api/admin/users': {
    get: { summary: 'Every account, disabled ones included', ok: 200, admin: true },
    post: { summary: 'Create an account', body: CreateUserInput, ok: 201, admin: true, errors: [400, 409] },
  },
  '/api/admin/users/{id}': {
    patch: {
      summary:
        'Edit an account: display name, admin role, disabled, password reset (disabling or resetting logs out everywhere)',
      body: UpdateUserInput,
      ok: 200,
      admin: true,
      errors: [400, 404, 409],
    },
  },
  '/api/admin/users/{id}/disable': {
    post: { summary: 'Disable an account and log it out everywhere', ok: 200, admin: true },
  },
  '/api/admin/users/{id}/enable': { post: { summary: 'Enable an account again', ok: 200, admin: true } },
  '/api/admin/discussions': {
    get: { summary: 'Every discussion with its members and roles', ok: 200, admin: true },
  },
  '/api/admin/discussions/{id}': {
    patch: {
      summary: 'Rename a group',
      body: RenameDiscussionInput,
      ok: 200,
      admin: true,
      errors: [403, 404],
    },
  },
  '/api/admin/discussions/{id}/members': {
    post: {
      summary: 'Add a member to any group',
      body: AddMemberInput,
      ok: 201,
      admin: true,
      errors: [403, 404, 409],
    },
  },
  '/api/admin/discussions/{id}/members/{userId}': {
    patch: { summary: "Change a member's role in any group", body: SetRoleInput, ok: 200, admin: true },
    delete: { summary: 'Remove a member from any group', ok: 200, admin: true },
  },
  '/api/admin/retention': {
    get: {
      summary:
        "The organisation's retention policy { days, keepPinned } (days null: keep forever), and `overrides`: the discussions with their own period",
      ok: 200,
      admin: true,
    },
    put: {
      summary:
        'Set the retention policy { days: whole number ≥ 1 or null, keepPinned }; applied by the daily job (PALABRE_RETENTION_AT) or /run. In the audit log',
      body: RetentionPolicyInput,
      ok: 200,
      admin: true,
    },
  },
  '/api/admin/discussions/{id}/retention': {
    put: {
      summary:
        "A discussion's own retention period { days } (null: follow the organisation). In the audit log",
      body: RetentionOverrideInput,
      ok: 200,
      admin: true,
      errors: [400, 403, 404],
    },
  },
  '/api/admin/retention/preview': {
    post: {
      summary:
        'Dry run: what the saved policy (or the { days, keepPinned } given, tried over it) would delete now: { messages, files, discussions: [{ id, title, messages, files }] }. Deletes nothing',
      body: RetentionPreviewInput,
      ok: 200,
      admin: true,
    },
  },
  '/api/admin/retention/run': {
    post: {
      summary:
        'Apply the saved policy now (« Appliquer maintenant »): the same counts as the preview, as deleted. Purged messages and their files leave the server for good; browsers drop them at their next sync. In the audit log',
      ok: 200,
      admin: true,
    },
  },
  '/api/admin/audit': {
    get: { summary: 'Audit log of access changes, newest first (?limit=&before=id)', ok: 200, admin: true },
  },
  '/api/admin/tokens': {
    get: {
      summary: 'Every API token (id, label, owner, dates; never the secret)',
      ok: 200,
      admin: true,
    },
    post: {
      summary: 'Create an API token for scripts (shown once; send as Authorization: Bearer)',
      body: CreateTokenInput,
      ok: 201,
      admin: true,
    },
  },
  '/api/admin/backups': {
    get: {
      summary:
        'The backups folder (PALABRE_BACKUP_DIR, default DATA_DIR/backups): { dir, backups: [{ name, path, status: running|done|failed, createdAt, size, sha256, error }] }, newest first',
      ok: 200,
      admin: true,
    },
    post: {
      summary:
        'Start a consistent backup of the data folder while the server runs (202 { dir, backup: { name, path, status: "running", ... } }); follow it with GET. 409 backup_running while one is being written',
      ok: 202,
      admin: true,
      errors: [409],
    },
  },
  '/api/admin/tokens/{id}': {
    delete: {
      summary: 'Revoke an API token: refused from now on, its open connections closed at once (4401)',
      ok: 204,
      admin: true,
      errors: [404],
    },
  },
};

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.values(ErrorCode) },
        message: { type: 'string' },
        details: {},
      },
    },
  },
};

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(ops)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const responses: Record<string, unknown> = {
        [op.ok]: op.bytes
          ? { description: 'The bytes', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }
          : { description: 'Success' },
      };
      const errors = new Set([
        ...(op.errors ?? []),
        ...(op.auth === false ? [] : [401]),
        ...(op.admin ? [403] : []),
      ]);
      for (const status of errors)
        responses[status] = {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      paths[path][method] = {
        summary: op.summary,
        tags: [op.admin ? 'admin' : path.split('/')[2]],
        security: op.auth === false ? [] : [{ bearer: [] }, { cookie: [] }],
        ...(op.upload ? { requestBody: uploadBody } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) } },
              },
            }
          : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Palabre API',
      version,
      description:
        'REST API of Palabre. Authenticate with the session cookie set by /api/auth/login or with `Authorization: Bearer <token>` (a login token or an admin API token). Requests that change state with the cookie must come from Palabre\'s own origin (or ALLOWED_ORIGINS): others get 403 `cross_origin`. Errors are `{ "error": { "code", "message" } }`. Real-time sync is the y-websocket protocol on /sync/{discussionId}.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'palabre_session' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function openApiHtml(doc: ReturnType<typeof openApiDocument>): string {
  const rows = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const o = op as {
          summary: string;
          requestBody?: { content: { 'application/json': { schema: unknown } } };
        };
        const body = o.requestBody
          ? `<details><summary>Body</summary><pre>${escape(JSON.stringify(o.requestBody.content['application/json'].schema, null, 2))}</pre></details>`
          : '';
        return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(o.summary)}${body}</td></tr>`;
      }),
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Palabre API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#1f2933}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #e4e7eb;padding:.5rem;vertical-align:top}
code{background:#f5f7fa;padding:0 .25rem;border-radius:4px}pre{background:#f5f7fa;padding:.5rem;overflow:auto}</style></head>
<body><h1>Palabre API ${escape(doc.info.version)}</h1><p>${escape(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. Error codes: ${Object.values(
    ErrorCode,
  )
    .map((c) => `<code>${c}</code>`)
    .join(' ')}.</p><table>${rows}</table></body></html>`;
}
