/**
 * Files: POST /discussions/:id/files (multipart/form-data, the file in the field `file`),
 * GET /files/:fileId and GET /files/:fileId/preview.
 *
 * The upload is parsed as it arrives (busboy) and each chunk goes straight to the BlobStore, so
 * a 25 MB file never sits whole in memory. Downloads are streamed back with the stored type,
 * `nosniff`, a sandboxing CSP, and `attachment` for every type a browser could run (HTML, SVG…).
 */
import { Readable } from 'node:stream';
import type { Busboy as BusboyType } from '@fastify/busboy';
import { Hono } from 'hono';
import { ErrorCode, hasPreview, isId } from '@palabre/shared';
import { requireUser, type Env } from '../http/context.js';
import { AppError, badRequest } from '../errors.js';
import type { AuthService } from '../services/auth.js';
import { tooLarge, type FileService, type Upload } from '../services/files.js';
import { idParam } from './discussions.js';

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 16 * 1024;

/** Types a browser shows without running anything; every other type is downloaded. */
const INLINE =
  /^(image\/(png|jpeg|gif|webp|avif)|application\/pdf|text\/plain|video\/(mp4|webm)|audio\/(mpeg|ogg|wav|webm))$/;

export function fileRoutes(auth: AuthService, files: FileService) {
  const app = new Hono<Env>();
  app.use('/files/*', requireUser(auth));

  app.post('/discussions/:id/files', requireUser(auth), async (c) => {
    const user = c.get('user');
    const discussionId = idParam(c.req.param('id'));
    await files.checkUploader(discussionId, user.id, user.role);
    // Refused before a byte is read when the announced size is already too much.
    const length = Number(c.req.header('content-length'));
    if (length > files.maxBytes + MULTIPART_OVERHEAD) throw tooLarge(files.maxBytes);
    const contentType = c.req.header('content-type') ?? '';
    const body = c.req.raw.body;
    if (!/^multipart\/form-data/i.test(contentType) || !body)
      throw badRequest('Send the file as multipart/form-data, in the field "file"');
    const ref = await receiveFile(
      Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
      contentType,
      files.maxBytes,
      (upload) => files.upload(discussionId, user.id, upload),
    );
    return c.json(ref, 201);
  });

  app.get('/files/:fileId', async (c) => {
    const row = await files.readable(fileIdParam(c.req.param('fileId')), c.get('user').id);
    const etag = `"${row.hash}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    const inline = INLINE.test(row.type);
    return stream(await files.open(row.hash), {
      'Content-Type': row.type,
      'Content-Length': String(row.size),
      'Content-Disposition': disposition(inline ? 'inline' : 'attachment', row.name),
      ETag: etag,
    });
  });

  app.get('/files/:fileId/preview', async (c) => {
    const row = await files.readable(fileIdParam(c.req.param('fileId')), c.get('user').id);
    if (!row.previewHash || !hasPreview(row))
      throw new AppError(ErrorCode.FileNotFound, 'This file has no preview');
    const etag = `"${row.previewHash}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return stream(await files.open(row.previewHash), {
      'Content-Type': 'image/webp',
      'Content-Disposition': disposition('inline', `${row.name.replace(/\.[^.]*$/, '')}.webp`),
      ETag: etag,
    });
  });

  return app;
}

const fileIdParam = (raw: string) => {
  // Ids never reach a path: "../x", "%2e%2e" and the like are simply unknown files.
  if (!isId(raw)) throw new AppError(ErrorCode.FileNotFound, 'No such file');
  return raw;
};

function stream(source: NodeJS.ReadableStream, headers: Record<string, string>): Response {
  const body = Readable.toWeb(Readable.from(source as AsyncIterable<Uint8Array>));
  return new Response(body as ReadableStream, {
    headers: {
      ...headers,
      'X-Content-Type-Options': 'nosniff',
      // Even a file opened directly runs nothing and reaches nothing.
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      // Revalidated each time (cheap: ETag), so a deleted file is not shown from a cache.
      'Cache-Control': 'private, no-cache',
    },
  });
}

/** RFC 6266: an ASCII fallback and the exact UTF-8 name. */
export function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** The multipart parser, loaded with the first upload rather than at start. */
let busboy: Promise<typeof BusboyType> | null = null;

/** Parse the multipart body; hand the part named `file` to handle as a stream, drop the rest. */
async function receiveFile<T>(
  body: Readable,
  contentType: string,
  maxBytes: number,
  handle: (upload: Upload) => Promise<T>,
): Promise<T> {
  const Busboy = await (busboy ??= import('@fastify/busboy').then((m) => m.default));
  return new Promise<T>((resolve, reject) => {
    let parser: InstanceType<typeof Busboy>;
    try {
      parser = new Busboy({
        headers: { 'content-type': contentType },
        // One byte past the limit is read so the store can tell "too large" from "exactly the limit".
        limits: { files: 1, fileSize: maxBytes + 1, fields: 20, parts: 30, fieldSize: 1024 },
      });
    } catch {
      reject(badRequest('Malformed multipart/form-data header'));
      return;
    }
    let result: Promise<T> | null = null;
    let current: Readable | null = null;
    const fail = (err: unknown) => {
      body.unpipe(parser);
      body.resume(); // the rest of the body is read and dropped, so the client gets our answer
      current?.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err);
    };
    parser.on('file', (field, file, filename, _encoding, mimeType) => {
      if (field !== 'file' || result) return void file.resume();
      current = file;
      result = handle({ bytes: file, name: filename ?? '', type: mimeType ?? '' });
      result.catch((err: unknown) => {
        file.resume();
        fail(err);
      });
    });
    parser.on('finish', () => {
      if (!result) reject(badRequest('The file goes in the field "file"'));
      else result.then(resolve, reject);
    });
    parser.on('error', () => fail(badRequest('Malformed multipart/form-data body')));
    body.on('error', (err) => fail(err));
    body.pipe(parser);
  });
}
