/** Every error the API returns has one of these codes; ARCHITECTURE.md lists them with their HTTP status. */
export const ErrorCode = {
  BadRequest: 'bad_request',
  InvalidJson: 'invalid_json',
  ValidationFailed: 'validation_failed',
  PayloadTooLarge: 'payload_too_large',
  Unauthenticated: 'unauthenticated',
  InvalidCredentials: 'invalid_credentials',
  Forbidden: 'forbidden',
  NotMember: 'not_member',
  NotFound: 'not_found',
  DiscussionNotFound: 'discussion_not_found',
  UserNotFound: 'user_not_found',
  FileNotFound: 'file_not_found',
  FileTooLarge: 'file_too_large',
  UsernameTaken: 'username_taken',
  AccountDisabled: 'account_disabled',
  AlreadyMember: 'already_member',
  LastOwner: 'last_owner',
  DirectDiscussion: 'direct_discussion',
  CrossOrigin: 'cross_origin',
  TooManyAttempts: 'too_many_attempts',
  TooManySockets: 'too_many_sockets',
  SessionNotFound: 'session_not_found',
  TokenNotFound: 'token_not_found',
  Internal: 'internal_error',
  NotReady: 'not_ready',
  BackupRunning: 'backup_running',
  DiscussionArchived: 'discussion_archived',
  StorageUnavailable: 'storage_unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as ApiErrorBody).error?.code === 'string'
  );
}
