/** The audit log of access changes: who did what to which user, group or token. */
import type { AuditRow, Directory } from '../storage/types.js';

export type AuditInput = Omit<AuditRow, 'id' | 'at'>;

export class AuditLog {
  constructor(
    private readonly directory: Directory,
    private readonly now: () => number = Date.now,
  ) {}

  record(entry: AuditInput): Promise<void> {
    return this.directory.appendAudit({ ...entry, at: this.now() });
  }

  list(limit: number, before?: number): Promise<AuditRow[]> {
    return this.directory.listAudit({ limit, before });
  }
}
