/** The HTTP status of each error code (ARCHITECTURE.md, "Errors"): the only place they are paired. */
import { ErrorCode } from '@palabre/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const STATUS_OF = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.InvalidJson]: 400,
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotMember]: 403,
  [ErrorCode.AccountDisabled]: 403,
  [ErrorCode.DirectDiscussion]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.DiscussionNotFound]: 404,
  [ErrorCode.UserNotFound]: 404,
  [ErrorCode.FileNotFound]: 404,
  [ErrorCode.FileTooLarge]: 413,
  [ErrorCode.UsernameTaken]: 409,
  [ErrorCode.AlreadyMember]: 409,
  [ErrorCode.LastOwner]: 409,
  [ErrorCode.CrossOrigin]: 403,
  [ErrorCode.TooManyAttempts]: 429,
  [ErrorCode.TooManySockets]: 429,
  [ErrorCode.SessionNotFound]: 404,
  [ErrorCode.TokenNotFound]: 404,
  [ErrorCode.Internal]: 500,
  [ErrorCode.NotReady]: 503,
  [ErrorCode.BackupRunning]: 409,
  [ErrorCode.DiscussionArchived]: 409,
  [ErrorCode.StorageUnavailable]: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;
