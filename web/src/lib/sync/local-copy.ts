/**
 * The local copy of one discussion document: IndexedDB through y-indexeddb, so the document
 * opens at once and offline. If IndexedDB is unavailable (a browser policy, a failed open), the
 * document goes on without it after a short wait rather than never loading.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';

/** Waiting longer than this for IndexedDB means it is not available. */
export const LOAD_TIMEOUT_MS = 5_000;

export interface LocalCopy {
  /** The origin of the updates it applies (its content arriving in the doc). */
  readonly origin: unknown;
  /** Resolves once its content is in the doc, or could not be read (never rejects). */
  readonly loaded: Promise<void>;
  /**
   * Rewrite the store as one snapshot of the document, deleting the updates it replaces (which
   * may hold the text of a deleted message). Only once loaded: the doc must hold everything.
   */
  compact(): Promise<void>;
  /** Stop writing and close the database (resolves even if closing fails). */
  close(): Promise<void>;
}

export function openLocalCopy(name: string, doc: Y.Doc, timeoutMs = LOAD_TIMEOUT_MS): LocalCopy {
  const persistence = new IndexeddbPersistence(name, doc);
  guardStore(persistence, doc);
  return {
    origin: persistence,
    loaded: settledWithin(persistence.whenSynced, timeoutMs),
    compact: () => compactStore(persistence, doc),
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

/**
 * One snapshot of the document in place of every stored update, in one IndexedDB transaction
 * (y-indexeddb's own storeState deletes in a second transaction, which may never run if the
 * database closes meanwhile). Quietly skipped when the store is closed.
 */
function compactStore(persistence: IndexeddbPersistence, doc: Y.Doc): Promise<void> {
  const db = persistence.db;
  if (!db) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      // y-indexeddb's store: 'updates', auto-incremented keys in the order updates were written.
      const tx = db.transaction(['updates'], 'readwrite');
      const store = tx.objectStore('updates');
      const added = store.add(Y.encodeStateAsUpdate(doc));
      added.onsuccess = () => store.delete(IDBKeyRange.upperBound(added.result, true));
      tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
    } catch {
      resolve(); // closed or deleted meanwhile: nothing left to compact
    }
  });
}
