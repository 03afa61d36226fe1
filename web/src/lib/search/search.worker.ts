/**
 * The search worker: owns the index of every discussion the user can read, so typing never
 * waits for indexing and the page never holds the index. See protocol.ts for the messages and
 * shared/src/search for the index itself; this file is the I/O around it.
 *
 * Several tabs: it runs as a SharedWorker named after the user, so every tab of that user talks
 * to ONE index (one copy in memory, one writer of `palabre:<user>:search`); each tab feeds it the
 * documents it has open, and all are told when the index changes. Where SharedWorker does not
 * exist (Chrome on Android), each tab runs its own dedicated worker, and only the one holding
 * the Web Lock `palabre:<user>:search` writes to IndexedDB; another one takes the lock over when
 * that tab closes, and then rewrites everything from its own index (so seq numbers never mix).
 *
 * - start: load the persisted snapshot and units (idb.ts), indexing only what changed since;
 * - the page sends what changes in the documents it has open (new, edited, deleted messages);
 * - the page lists my discussions with the version of their local copy: those the index does
 *   not cover yet are read here from their IndexedDB copy, one at a time, between searches;
 * - saving: changed units a second after the last change, the MiniSearch snapshot only when
 *   due (a removal, many changes) or every few minutes, so a busy chat does not rewrite it
 *   for every message.
 */
/// <reference lib="webworker" />
import * as Y from 'yjs';
import {
  SearchIndex,
  coverageIncludes,
  coverageOf,
  pinnedIds,
  searchMessages,
  type SnapshotRecord,
} from '@palabre/shared/search/index';
import { clearAll, openSearchDb, readAll, readDocUpdates, writeSnapshot, writeUnits } from './idb.js';
import type { FromWorker, ToWorker } from './protocol.js';

const SAVE_AFTER_MS = 1_000;
const SNAPSHOT_EVERY_MS = 5 * 60_000;
/** On the way out, the snapshot is rewritten only if a cold start would otherwise replay many. */
const FLUSH_SNAPSHOT_OVER = 200;

declare const self: DedicatedWorkerGlobalScope | SharedWorkerGlobalScope;

/** Where answers go: one port per tab (SharedWorker), or the worker itself (dedicated). */
type Port = { postMessage(message: FromWorker): void };
const ports = new Set<Port>();

let index = new SearchIndex();
let db: IDBDatabase | null = null;
let user: string | null = null;
let ready: Promise<void> = Promise.resolve();
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let changedTimer: ReturnType<typeof setTimeout> | null = null;
let lastSnapshotAt = Date.now();
let saving: Promise<void> = Promise.resolve();
/** Discussions waiting to be read from IndexedDB: id -> the version their copy holds. */
const toRead = new Map<string, number>();
let reading = false;
/** Forgotten during this session: never indexed again (a late message from the page). */
const forgotten = new Set<string>();
/** This worker writes the database (always when shared; the lock holder when dedicated). */
let writer = false;
let opened = '';

/** Per tab, its latest query. */
const latest = new WeakMap<Port, number>();

/** To every tab. */
const post = (message: FromWorker) => {
  for (const port of ports) port.postMessage(message);
};

function changed(): void {
  scheduleSave();
  if (changedTimer) return;
  changedTimer = setTimeout(() => {
    changedTimer = null;
    post({ t: 'changed' });
  }, 100);
}

function scheduleSave(delay = SAVE_AFTER_MS): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    void save(false);
  }, delay);
}

/** Write the changed units, and the snapshot when due. Serialized: one save at a time. */
function save(flush: boolean): Promise<void> {
  saving = saving.then(async () => {
    if (!db || !writer) return;
    const snapshotNow =
      index.snapshotDue ||
      (index.unsnapshotted > 0 && Date.now() - lastSnapshotAt > SNAPSHOT_EVERY_MS) ||
      (flush && index.unsnapshotted > FLUSH_SNAPSHOT_OVER);
    if (snapshotNow) {
      const snapshot: SnapshotRecord = index.snapshot();
      await writeSnapshot(db, snapshot);
      index.snapshotStored(snapshot);
      lastSnapshotAt = Date.now();
    }
    const records = [...index.units.values()].filter((u) => u.dirty);
    for (const unit of records) unit.dirty = false;
    if (records.length > 0)
      await writeUnits(
        db,
        records.map((u) => u.toRecord()),
      );
  });
  // A failed write is reported, and the next save still runs (and writes it again).
  saving = saving.catch((error: unknown) => {
    for (const unit of index.units.values()) unit.dirty = true;
    post({ t: 'error', message: String(error) });
  });
  return saving;
}

async function open(nextUser: string): Promise<void> {
  const started = performance.now();
  user = nextUser;
  db = await openSearchDb(nextUser);
  const openedAt = performance.now();
  const { snapshot, units, ms } = await readAll(db);
  const readAt = performance.now();
  const restored = SearchIndex.restore(snapshot, units);
  const phases = {
    open: openedAt - started,
    read: readAt - openedAt,
    readSnapshot: ms.snapshot,
    readUnits: ms.units,
    restore: performance.now() - readAt,
  };
  index = restored.index;
  writer = shared || !navigator.locks;
  if (writer && snapshot && index.units.size === 0 && units.length > 0) {
    // Another format: start over; the documents are read again below (`discussions`).
    await clearAll(db);
  }
  if (index.snapshotDue || restored.indexed > 0) scheduleSave();
  if (!writer) void takeOverWhenFree(nextUser);
  opened = nextUser;
  post({
    t: 'ready',
    messages: index.size,
    indexed: restored.indexed,
    loadMs: performance.now() - started,
    phases,
  });
  // What the load left for later (MiniSearch's map by message id, needed by the first change),
  // in a task of its own once the index answers searches.
  const loaded = index;
  setTimeout(() => loaded.warm(), 0);
}

/**
 * Dedicated workers (no SharedWorker): wait for the writer's lock; once held (the tab that had
 * it is gone), rewrite the snapshot and every unit from this index, then keep writing.
 */
async function takeOverWhenFree(forUser: string): Promise<void> {
  await navigator.locks.request(`palabre:${forUser}:search`, async () => {
    if (user !== forUser) return;
    writer = true;
    // What the previous writer stored is replaced whole by this index (its seq numbering).
    index.rewriteAll();
    saving = saving.then(() => (db ? clearAll(db) : undefined));
    await save(false);
    // Hold the lock as long as this worker lives (or until sign-out).
    await new Promise<void>((resolve) => (releaseLock = resolve));
  });
}
let releaseLock: () => void = () => {};

/** Read, one at a time and between searches, the discussions whose copy the index does not cover. */
async function readDocuments(): Promise<void> {
  if (reading) return;
  reading = true;
  try {
    while (toRead.size > 0 && user) {
      const [id, v] = toRead.entries().next().value as [string, number];
      toRead.delete(id);
      if (forgotten.has(id)) continue;
      const updates = await readDocUpdates(`palabre:${user}:${id}`);
      if (!updates || forgotten.has(id)) continue;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.mergeUpdates(updates));
      const covered = coverageOf(doc, v);
      const had = index.units.get(id)?.covered;
      if (had && !coverageIncludes(covered, had)) {
        // The stored copy is behind what an open tab already gave the index: keep the index.
      } else if (had?.sv !== covered.sv) {
        index.replace(id, searchMessages(doc), pinnedIds(doc), covered);
        changed();
      } else index.units.get(id)?.setCovered(covered);
      doc.destroy();
      // Let searches in between.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (error) {
    post({ t: 'error', message: String(error) });
  } finally {
    reading = false;
  }
}

async function handle(message: ToWorker, from: Port): Promise<void> {
  if (message.t === 'open') {
    // Another tab of the same user: the index is already there (or on its way).
    if (user === message.user) {
      await ready;
      if (opened === message.user)
        from.postMessage({ t: 'ready', messages: index.size, indexed: 0, loadMs: 0 });
      return;
    }
    ready = open(message.user);
    return ready;
  }
  await ready;
  switch (message.t) {
    case 'replace': {
      if (forgotten.has(message.id)) return;
      const had = index.units.get(message.id)?.covered;
      // Already covered, or this tab's copy is behind what another tab gave (it will catch up
      // through the tabs' relay and send those messages as changes).
      if (had && coverageIncludes(had, message.covered)) return;
      if (had && !coverageIncludes(message.covered, had)) return;
      if (index.replace(message.id, message.messages, message.pins, message.covered) > 0) changed();
      else scheduleSave();
      return;
    }
    case 'apply': {
      if (forgotten.has(message.id)) return;
      const n = index.apply(message.id, message);
      if (n > 0) changed();
      else scheduleSave();
      return;
    }
    case 'discussions': {
      for (const { id, v } of message.items) {
        const covered = index.units.get(id)?.covered;
        if (!covered || covered.v < v) toRead.set(id, v);
      }
      void readDocuments();
      return;
    }
    case 'search': {
      // Only the latest of a tab's queries still waiting is answered (keystrokes typed during a
      // cold load or a slow query): the tab has already dropped the older ones.
      latest.set(from, message.q);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (latest.get(from) !== message.q) return;
      const started = performance.now();
      const f = message.filters;
      const hits = index.search({
        text: message.text,
        limit: message.limit,
        filters: {
          authors: f.authors ? new Set(f.authors) : undefined,
          discussions: f.discussions ? new Set(f.discussions) : undefined,
          hasFile: f.hasFile,
          hasPin: f.hasPin,
          before: f.before,
          after: f.after,
        },
      });
      from.postMessage({
        t: 'results',
        q: message.q,
        hits,
        ms: performance.now() - started,
        size: index.size,
      });
      return;
    }
    case 'forget': {
      forgotten.add(message.id);
      toRead.delete(message.id);
      index.remove(message.id);
      if (db && writer) await writeUnits(db, [], [message.id]);
      await save(false);
      post({ t: 'changed' });
      return;
    }
    case 'flush':
      await save(true);
      return;
    case 'bye':
      return;
    case 'close':
      // Sign-out: nothing more is written (the page deletes the database right after), and
      // nothing of the index stays in memory, for any tab.
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = null;
      toRead.clear();
      user = null;
      opened = '';
      writer = false;
      releaseLock();
      index = new SearchIndex();
      db?.close();
      db = null;
      from.postMessage({ t: 'closed' });
      return;
  }
}

const shared = typeof (self as SharedWorkerGlobalScope).onconnect !== 'undefined';
if (shared) {
  (self as SharedWorkerGlobalScope).onconnect = (event: MessageEvent) => {
    const port = event.ports[0];
    ports.add(port);
    port.onmessage = (message: MessageEvent<ToWorker>) => {
      if (message.data.t === 'bye') {
        ports.delete(port);
        return;
      }
      handle(message.data, port).catch((error: unknown) => post({ t: 'error', message: String(error) }));
    };
    port.start();
  };
} else {
  const me = self as DedicatedWorkerGlobalScope;
  ports.add(me);
  me.onmessage = (event: MessageEvent<ToWorker>) => {
    handle(event.data, me).catch((error: unknown) => post({ t: 'error', message: String(error) }));
  };
}
