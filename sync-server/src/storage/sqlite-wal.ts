/**
 * Cutting the WAL to zero bytes (so deleted text leaves the disk) without ever making the server
 * wait. `wal_checkpoint(TRUNCATE)` waits, through the busy handler, for every reader of another
 * connection to move past the WAL: a backup's read transaction (docs/OPERATIONS.md) would freeze
 * the event loop for the whole busy timeout (5 s) at each compaction. So the checkpoint is tried
 * with no busy wait: when a reader holds the WAL it does what it can (every frame no reader needs
 * is copied to the database) and is tried again every `retryMs` until it succeeds. With no other
 * reader, the first try cuts the WAL at once, as before.
 */
import type Database from 'better-sqlite3';

export interface WalTruncator {
  /** Checkpoint and truncate now if no reader holds the WAL, else as soon as none does. */
  truncate(): void;
  /** True while a truncation is waiting for a reader. */
  readonly pending: boolean;
}

export function walTruncator(db: Database.Database, retryMs = 1000): WalTruncator {
  let timer: NodeJS.Timeout | null = null;
  const attempt = (): boolean => {
    const timeout = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma('busy_timeout = 0');
    try {
      const rows = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return rows[0]?.busy === 0;
    } catch {
      return false; // SQLITE_BUSY or LOCKED: another connection is in the way; try later
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
  };
  const retry = () => {
    timer = null;
    if (!db.open || attempt()) return;
    timer = setTimeout(retry, retryMs);
    timer.unref();
  };
  return {
    truncate() {
      if (timer || attempt()) return;
      timer = setTimeout(retry, retryMs);
      timer.unref();
    },
    get pending() {
      return timer !== null;
    },
  };
}
