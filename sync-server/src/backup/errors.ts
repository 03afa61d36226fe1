/** What the backup commands fail with: a named code (printed, and mapped to an exit status) and a sentence. */
export type BackupErrorCode =
  | 'missing_argument'
  | 'unknown_command'
  | 'unknown_option'
  | 'file_unreadable'
  | 'output_exists'
  | 'no_database'
  | 'unsupported_storage'
  | 'data_dir_not_writable'
  | 'not_a_backup'
  | 'unsupported_version'
  | 'backup_corrupt'
  | 'backup_truncated'
  | 'backup_incomplete'
  | 'data_dir_not_empty'
  | 'blob_missing'
  | 'store_corrupt';

/** Usage errors exit 2, everything else 1. */
export const USAGE_CODES: ReadonlySet<BackupErrorCode> = new Set([
  'missing_argument',
  'unknown_command',
  'unknown_option',
]);

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}
