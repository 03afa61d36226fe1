/**
 * What a browser context keeps, looked at from the page: localStorage, every IndexedDB database
 * (names, keys and values), Cache Storage (addresses and bodies). For the specs that check a
 * browser keeps (or no longer keeps) a discussion, a user or a text; the UI cannot show storage.
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

/** The page's storage read whole, every value as text. */
interface Stored {
  /** localStorage, [key, value]. */
  local: [string, string][];
  /** Each IndexedDB database with the keys and values of all its stores. */
  databases: { name: string; texts: string[] }[];
  /** Cache Storage entries (read only when asked: bodies are large). */
  cached: { url: string; body: string }[];
}

/**
 * Read the page's storage. IndexedDB values are read whole: Yjs updates (bytes) are decoded as
 * UTF-8, where message texts and ids sit as they were typed; other values as JSON, bytes in them
 * decoded likewise. A database deleted between listing and reading is not created again (its
 * upgrade is aborted).
 */
async function readStorage(page: Page, options: { caches: boolean }): Promise<Stored> {
  return page.evaluate(async ({ caches: withCaches }) => {
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

    const local: [string, string][] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      local.push([key, localStorage.getItem(key) ?? '']);
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
    const databases: { name: string; texts: string[] }[] = [];
    for (const { name } of (await indexedDB.databases()) ?? []) {
      if (name) databases.push({ name, texts: await contents(name) });
    }

    const cached: { url: string; body: string }[] = [];
    if (withCaches) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          cached.push({ url: request.url, body: (await (await cache.match(request))?.text()) ?? '' });
        }
      }
    }
    return { local, databases, cached };
  }, options);
}

/** Every trace of `needles` (ids, texts) in the page's storage. */
export async function traces(page: Page, needles: string[]): Promise<Traces> {
  const { local, databases, cached } = await readStorage(page, { caches: true });
  const hit = (s: string) => needles.some((n) => s.includes(n));
  return {
    local: local.filter(([key, value]) => hit(key) || hit(value)).map(([key]) => key),
    databases: databases.filter(({ name, texts }) => hit(name) || texts.some(hit)).map(({ name }) => name),
    cached: cached.filter(({ url, body }) => hit(url) || hit(body)).map(({ url }) => url),
  };
}

/**
 * All the text of the IndexedDB databases whose name `database` accepts (keys and values, one
 * a line), and with `local`, of localStorage too: for `toContain` / `not.toContain`.
 */
export async function storedText(
  page: Page,
  database: (name: string) => boolean,
  { local = false }: { local?: boolean } = {},
): Promise<string> {
  const stored = await readStorage(page, { caches: false });
  const texts = stored.databases.filter(({ name }) => database(name)).flatMap(({ texts }) => texts);
  return [...(local ? stored.local.flat() : []), ...texts].join('\n');
}
