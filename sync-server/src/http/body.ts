/** Read a JSON body with a size cap, then validate it with a shared schema. */
import { ErrorCode, LIMITS } from '@palabre/shared';
import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, badRequest } from '../errors.js';

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
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
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(
      'The request body does not match what this endpoint expects',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

const tooLarge = (max: number) =>
  new AppError(ErrorCode.PayloadTooLarge, `The request body exceeds ${max} bytes`);
