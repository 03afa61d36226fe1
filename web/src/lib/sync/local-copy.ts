/**
 * The local copy of one discussion document: IndexedDB through y-indexeddb, so the document
 * opens at once and offline. If IndexedDB is unavailable (a browser policy, a failed open), the
 * document goes on without it after a short wait rather than never loading.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/** Waiting longer than this for IndexedDB means it is not available. */
export const LOAD_TIMEOUT_MS = 5_000;

export interface LocalCopy {
  /** The origin of the updates it applies (its content arriving in the doc). */
  readonly origin: unknown;
  /** Resolves once its content is in the doc, or could not be read (never rejects). */
  readonly loaded: Promise<void>;
  /** Stop writing and close the database (resolves even if closing fails). */
  close(): Promise<void>;
}

export function openLocalCopy(name: string, doc: Y.Doc, timeoutMs = LOAD_TIMEOUT_MS): LocalCopy {
  const persistence = new IndexeddbPersistence(name, doc);
  guardStore(persistence, doc);
  return {
    origin: persistence,
    loaded: settledWithin(persistence.whenSynced, timeoutMs),
    close: () => persistence.destroy().catch(() => undefined),
  };
}

/** Resolves when promise settles (either way) or after ms, whichever comes first. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, late]).then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
}

/**
 * y-indexeddb writes each update from the doc's 'update' event; if another tab deleted the
 * database (sign-out, removal, rebuild), that write throws inside Yjs's event loop and would
 * break the document. Swallow it: the tab that deleted the database has told us to let go.
 */
export function guardStore(persistence: object, doc: Y.Doc): void {
  const target = persistence as { _storeUpdate: (update: Uint8Array, origin: unknown) => void };
  const store = target._storeUpdate;
  doc.off('update', store);
  target._storeUpdate = (update, origin) => {
    try {
      store(update, origin);
    } catch {
      // The database is gone; this tab will drop or rebuild the document shortly.
    }
  };
  doc.on('update', target._storeUpdate);
}
