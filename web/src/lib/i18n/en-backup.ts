/** English wording of the admin console's Backups section and its audit entries (same keys as fr-backup.ts). */
import type { BackupMessageKey } from './fr-backup.js';

export const enBackup: Record<BackupMessageKey, string> = {
  'admin.tabs.backups': 'Backups',
  'admin.backups.intro':
    'A backup copies all the server’s data (accounts, discussions, members, messages, pins and files) into one file, without interrupting ongoing discussions.',
  'admin.backups.help':
    'Verify and restore a backup with the palabre command on the server (npm run palabre -- verify FILE), as the operations guide explains.',
  'admin.backups.start': 'Back up now',
  'admin.backups.starting': 'Starting…',
  'admin.backups.running': 'Backup in progress: {name}',
  'admin.backups.done': 'Backup complete: {name} ({size}).',
  'admin.backups.failed': 'Backup {name} failed: {message}',
  'admin.backups.dir': 'Backups folder on the server:',
  'admin.backups.list': 'The server’s backups',
  'admin.backups.empty': 'No backup in this folder yet.',
  'admin.backups.col.name': 'File',
  'admin.backups.col.date': 'Date',
  'admin.backups.col.size': 'Size',
  'admin.backups.col.status': 'Status',
  'admin.backups.status.running': 'In progress',
  'admin.backups.status.done': 'Complete',
  'admin.backups.status.failed': 'Failed',
  'audit.backup.start': '{actor} started the backup “{name}”.',
  'audit.backup.done': 'The backup “{name}” started by {actor} is complete ({size}).',
  'audit.backup.failed': 'The backup “{name}” started by {actor} failed: {message}',
};
