/**
 * Read a JSON body with a size cap, then validate it with a shared schema, named. The schemas
 * (and zod with them, a few MiB resident) are loaded on the first body read, not at start: an
 * idle server does not hold them.
 */
import { ErrorCode } from '@palabre/shared';
// Not through the package index: there it comes with the schemas, which load on demand.
import { LIMITS } from '@palabre/shared/limits';
import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, badRequest } from '../errors.js';

type Schemas = typeof import('@palabre/shared/validation/api');
export type SchemaName = { [K in keyof Schemas]: Schemas[K] extends z.ZodType ? K : never }[keyof Schemas];

let schemas: Promise<Schemas> | null = null;

export async function readJson<N extends SchemaName>(c: Context, name: N): Promise<z.infer<Schemas[N]>> {
  // The cap is PALABRE_MAX_JSON_BYTES when the app set it (limits.ts), the shared default otherwise.
  const max = (c.get('jsonBodyBytes') as number | undefined) ?? LIMITS.jsonBodyBytes;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > max) throw tooLarge(max);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > max) throw tooLarge(max);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError(ErrorCode.InvalidJson, 'The request body is not valid JSON');
  }
  const schema: z.ZodType = (await (schemas ??= import('@palabre/shared/validation/api')))[name];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(
      'The request body does not match what this endpoint expects',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data as z.infer<Schemas[N]>;
}

const tooLarge = (max: number) =>
  new AppError(ErrorCode.PayloadTooLarge, `The request body exceeds ${max} bytes`);
