/**
 * The file outbox in IndexedDB (`palabre:<user>:outbox`, one record per waiting message, the
 * files' bytes included as Blobs), so a file attached offline survives a reload and leaves when
 * the network returns. Signing out deletes it with the user's other databases (storage.ts).
 */
import type { OutboxEntry, OutboxFile } from '@palabre/shared/sync/file-outbox';

/** A waiting file with its bytes. */
export interface StoredFile extends OutboxFile {
  blob: Blob;
}

export type StoredEntry = OutboxEntry<StoredFile>;

const STORE = 'entries';

export const outboxDatabase = (user: string) => `palabre:${user}:outbox`;

export class OutboxStore {
  #db: Promise<IDBDatabase>;

  constructor(user: string) {
    this.#db = new Promise((resolve, reject) => {
      const request = indexedDB.open(outboxDatabase(user), 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'messageId' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
    });
  }

  async all(): Promise<StoredEntry[]> {
    const db = await this.#db;
    return new Promise((resolve, reject) => {
      const request = db.transaction(STORE).objectStore(STORE).getAll();
      request.onsuccess = () => resolve(request.result as StoredEntry[]);
      request.onerror = () => reject(request.error ?? new Error('read failed'));
    });
  }

  /** Resolves once the record is committed (then a reload still has it). */
  put(entry: StoredEntry): Promise<void> {
    return this.#write((store) => store.put(entry));
  }

  delete(messageId: string): Promise<void> {
    return this.#write((store) => store.delete(messageId));
  }

  async close(): Promise<void> {
    (await this.#db.catch(() => null))?.close();
  }

  async #write(op: (store: IDBObjectStore) => void): Promise<void> {
    const db = await this.#db;
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('write failed'));
    });
  }
}
