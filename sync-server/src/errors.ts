/**
 * The one error type of the server's services: a named code (shared/src/errors.ts) and a message
 * for people. Services know nothing of HTTP; http/errors.ts gives each code its status, and
 * app.onError renders every AppError as { error: { code, message, details } }.
 */
import { ErrorCode } from '@palabre/shared';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(ErrorCode.ValidationFailed, message, details);
export const unauthenticated = () => new AppError(ErrorCode.Unauthenticated, 'Authentication required');
export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError(ErrorCode.Forbidden, message);
