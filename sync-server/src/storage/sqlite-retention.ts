/**
 * SQLite storage of archives and retention: two columns of `discussions` (`archived_at`,
 * `retention_days`, added in place on an older file) and the organisation's policy, one row of
 * the `settings` table (key `retention`, a JSON value).
 */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import type { RetentionPolicy } from '@palabre/shared';
import type { Directory } from './types.js';

/** Until an admin saves one: keep everything, and pinned messages if a period is ever set. */
export const DEFAULT_RETENTION: RetentionPolicy = { days: null, keepPinned: true };

export function migrateRetention(db: Database.Database): void {
  const columns = new Set(
    (db.prepare('PRAGMA table_info(discussions)').all() as { name: string }[]).map((c) => c.name),
  );
  db.transaction(() => {
    if (!columns.has('archived_at')) db.exec('ALTER TABLE discussions ADD COLUMN archived_at INTEGER');
    if (!columns.has('retention_days')) db.exec('ALTER TABLE discussions ADD COLUMN retention_days INTEGER');
    db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  })();
}

export function sqliteRetention(
  db: Database.Database,
): Pick<Directory, 'setArchived' | 'setRetentionDays' | 'retentionPolicy' | 'setRetentionPolicy'> {
  const q = lazyStatements({
    setArchived: () =>
      db.prepare<[number | null, string]>('UPDATE discussions SET archived_at = ? WHERE id = ?'),
    setDays: () =>
      db.prepare<[number | null, string]>('UPDATE discussions SET retention_days = ? WHERE id = ?'),
    get: () => db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    put: () =>
      db.prepare<[string, string]>(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
  });
  return {
    async setArchived(discussionId, archivedAt) {
      q.setArchived.run(archivedAt, discussionId);
    },
    async setRetentionDays(discussionId, days) {
      q.setDays.run(days, discussionId);
    },
    async retentionPolicy() {
      const row = q.get.get('retention');
      if (!row) return { ...DEFAULT_RETENTION };
      const p = JSON.parse(row.value) as Partial<RetentionPolicy>;
      return { days: p.days ?? null, keepPinned: p.keepPinned ?? DEFAULT_RETENTION.keepPinned };
    },
    async setRetentionPolicy(policy) {
      q.put.run('retention', JSON.stringify({ days: policy.days, keepPinned: policy.keepPinned }));
    },
  };
}
