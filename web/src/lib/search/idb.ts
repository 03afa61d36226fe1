/**
 * The search worker's IndexedDB access (no DOM: IndexedDB exists in workers).
 *
 *   palabre:<user>:search   stores `units` (one UnitRecord per discussion, key: its id) and
 *                           `meta` (key 'snapshot': the SnapshotRecord of the MiniSearch index)
 *
 * Discussion documents are read straight from y-indexeddb's database (`palabre:<user>:<id>`,
 * store `updates`: one Yjs update per row), read-only, so the worker never competes with the
 * page for them, and never creates a database that does not exist.
 */
import type { SnapshotRecord, UnitRecord } from '@palabre/shared/search/index';

export const searchDatabase = (user: string) => `palabre:${user}:search`;
const UNITS = 'units';
const META = 'meta';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

export async function openSearchDb(user: string): Promise<IDBDatabase> {
  const req = indexedDB.open(searchDatabase(user), 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore(UNITS);
    req.result.createObjectStore(META);
  };
  const db = await request(req);
  // Sign-out or removal deletes the database: let it go at once instead of blocking it.
  db.onversionchange = () => db.close();
  return db;
}

/** The snapshot and every record, read together; `ms`: when each arrived (for the bench). */
export async function readAll(db: IDBDatabase): Promise<{
  snapshot: SnapshotRecord | null;
  units: UnitRecord[];
  ms: { snapshot: number; units: number };
}> {
  const started = performance.now();
  const ms = { snapshot: 0, units: 0 };
  const timed = <T>(req: IDBRequest<T>, key: keyof typeof ms) =>
    request(req).then((value) => {
      ms[key] = performance.now() - started;
      return value;
    });
  const tx = db.transaction([UNITS, META], 'readonly');
  const [snapshot, units] = await Promise.all([
    timed(tx.objectStore(META).get('snapshot') as IDBRequest<SnapshotRecord | undefined>, 'snapshot'),
    timed(tx.objectStore(UNITS).getAll() as IDBRequest<UnitRecord[]>, 'units'),
  ]);
  return { snapshot: snapshot ?? null, units, ms };
}

export async function writeUnits(db: IDBDatabase, put: UnitRecord[], remove: string[] = []): Promise<void> {
  const tx = db.transaction(UNITS, 'readwrite');
  const store = tx.objectStore(UNITS);
  for (const record of put) store.put(record, record.id);
  for (const id of remove) store.delete(id);
  await done(tx);
}

export async function writeSnapshot(db: IDBDatabase, snapshot: SnapshotRecord): Promise<void> {
  const tx = db.transaction(META, 'readwrite');
  tx.objectStore(META).put(snapshot, 'snapshot');
  await done(tx);
}

/**
 * Open an existing database and run `use` on it if it has `store`; null when there is no such
 * database (it is not created: y-indexeddb would then find it without its stores) or store.
 */
async function withExisting<T>(
  name: string,
  store: string,
  use: (db: IDBDatabase) => Promise<T>,
): Promise<T | null> {
  const req = indexedDB.open(name);
  let created = false;
  req.onupgradeneeded = () => {
    created = true;
    req.transaction?.abort();
  };
  let db: IDBDatabase;
  try {
    db = await request(req);
  } catch {
    return null;
  }
  try {
    if (created || !db.objectStoreNames.contains(store)) return null;
    return await use(db);
  } finally {
    db.close();
  }
}

/** Delete one discussion's record, without creating the database if there is none. */
export async function deleteSearchUnit(user: string, id: string): Promise<void> {
  await withExisting(searchDatabase(user), UNITS, (db) => writeUnits(db, [], [id]));
}

/** Start over: a format change, or a broken store. */
export async function clearAll(db: IDBDatabase): Promise<void> {
  const tx = db.transaction([UNITS, META], 'readwrite');
  tx.objectStore(UNITS).clear();
  tx.objectStore(META).clear();
  await done(tx);
}

/** Every stored Yjs update of a discussion document, or null if there is no local copy. */
export function readDocUpdates(name: string): Promise<Uint8Array[] | null> {
  return withExisting(name, 'updates', (db) => {
    const tx = db.transaction('updates', 'readonly');
    return request(tx.objectStore('updates').getAll() as IDBRequest<Uint8Array[]>);
  });
}
