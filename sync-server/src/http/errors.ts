/** The one error type of the REST API, rendered by app.onError as { error: { code, message } }. */
import { ErrorCode } from '@palabre/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new HttpError(400, ErrorCode.ValidationFailed, message, details);
export const unauthenticated = () => new HttpError(401, ErrorCode.Unauthenticated, 'Authentication required');
export const forbidden = (message = 'You are not allowed to do this') =>
  new HttpError(403, ErrorCode.Forbidden, message);
