/**
 * What a browser context keeps, looked at from the page: localStorage, every IndexedDB database
 * (names, keys and values), Cache Storage (addresses and bodies). For the specs that check a
 * browser keeps nothing of a discussion or a user; the UI cannot show storage.
 */
import type { Page } from '@playwright/test';

export interface Traces {
  /** localStorage keys whose key or value holds a needle. */
  local: string[];
  /** IndexedDB databases whose name, or one of whose keys or values, holds a needle. */
  databases: string[];
  /** Cache Storage entries whose address or body holds a needle. */
  cached: string[];
}

export const nothing: Traces = { local: [], databases: [], cached: [] };

/**
 * Every trace of `needles` (ids, texts) in the page's storage. IndexedDB values are read whole:
 * Yjs updates (bytes) are decoded as UTF-8, where message texts and ids sit as they were typed.
 * A database deleted between listing and reading is not created again (its upgrade is aborted).
 */
export async function traces(page: Page, needles: string[]): Promise<Traces> {
  return page.evaluate(async (needles) => {
    const decoder = new TextDecoder();
    const asText = (value: unknown): string => {
      if (value instanceof Uint8Array) return decoder.decode(value);
      if (value instanceof ArrayBuffer) return decoder.decode(new Uint8Array(value));
      if (typeof value === 'string') return value;
      try {
        return JSON.stringify(value, (_key, v: unknown) =>
          v instanceof Uint8Array || v instanceof ArrayBuffer ? asText(v) : v,
        );
      } catch {
        return String(value);
      }
    };
    const hit = (s: string) => needles.some((n) => s.includes(n));

    const local: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (hit(key) || hit(localStorage.getItem(key) ?? '')) local.push(key);
    }

    const contents = (name: string) =>
      new Promise<string[]>((resolve) => {
        const open = indexedDB.open(name);
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve([]);
        open.onblocked = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          const stores = [...db.objectStoreNames];
          if (stores.length === 0) {
            db.close();
            resolve([]);
            return;
          }
          const tx = db.transaction(stores, 'readonly');
          const out: string[] = [];
          for (const store of stores) {
            const values = tx.objectStore(store).getAll();
            values.onsuccess = () => out.push(...values.result.map(asText));
            const ids = tx.objectStore(store).getAllKeys();
            ids.onsuccess = () => out.push(...ids.result.map(asText));
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = tx.onabort = () => {
            db.close();
            resolve(out);
          };
        };
      });
    const databases: string[] = [];
    for (const { name } of (await indexedDB.databases()) ?? []) {
      if (!name) continue;
      if (hit(name) || (await contents(name)).some(hit)) databases.push(name);
    }

    const cached: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const body = (await (await cache.match(request))?.text()) ?? '';
        if (hit(request.url) || hit(body)) cached.push(request.url);
      }
    }
    return { local, databases, cached };
  }, needles);
}
