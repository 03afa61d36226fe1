/** The audit log of the Directory, in SQLite: newest first, paged by id. */
import type Database from 'better-sqlite3';
import { lazyStatements } from './sqlite-lazy.js';
import { type AuditDbRow, toAudit } from './rows.js';
import type { Directory } from './types.js';

export function sqliteAudit(db: Database.Database) {
  const q = lazyStatements({
    append: () =>
      db.prepare(
        'INSERT INTO audit_log (at, actor_id, action, target_type, target_id, details) VALUES (@at, @actorId, @action, @targetType, @targetId, @details)',
      ),
    list: () =>
      db.prepare<[number, number], AuditDbRow>(
        'SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?',
      ),
  });

  return {
    async appendAudit(entry) {
      q.append.run({ ...entry, details: JSON.stringify(entry.details) });
    },
    async listAudit({ limit, before }) {
      return q.list.all(before ?? Number.MAX_SAFE_INTEGER, limit).map(toAudit);
    },
  } satisfies Partial<Directory>;
}
