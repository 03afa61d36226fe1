/**
 * The search worker: owns the index of every discussion the user can read, so typing never
 * waits for indexing and the page never holds the index. See protocol.ts for the messages and
 * shared/src/search for the index itself; this file is the I/O around it:
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

declare const self: DedicatedWorkerGlobalScope;

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

const post = (message: FromWorker) => self.postMessage(message);

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
    if (!db) return;
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
  return saving.catch((error: unknown) => post({ t: 'error', message: String(error) }));
}

async function open(nextUser: string): Promise<void> {
  const started = performance.now();
  user = nextUser;
  db = await openSearchDb(nextUser);
  const { snapshot, units } = await readAll(db);
  const restored = SearchIndex.restore(snapshot, units);
  index = restored.index;
  if (snapshot && index.units.size === 0 && units.length > 0) {
    // Another format: start over; the documents are read again below (`discussions`).
    await clearAll(db);
  }
  if (index.snapshotDue || restored.indexed > 0) scheduleSave();
  post({ t: 'ready', messages: index.size, indexed: restored.indexed, loadMs: performance.now() - started });
}

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
      if (index.units.get(id)?.covered?.sv !== covered.sv) {
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

async function handle(message: ToWorker): Promise<void> {
  if (message.t === 'open') {
    ready = open(message.user);
    return ready;
  }
  await ready;
  switch (message.t) {
    case 'replace': {
      if (forgotten.has(message.id)) return;
      if (index.units.get(message.id)?.covered?.sv === message.covered.sv) return;
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
      post({ t: 'results', q: message.q, hits, ms: performance.now() - started, size: index.size });
      return;
    }
    case 'forget': {
      forgotten.add(message.id);
      toRead.delete(message.id);
      index.remove(message.id);
      if (db) await writeUnits(db, [], [message.id]);
      await save(false);
      post({ t: 'changed' });
      return;
    }
    case 'flush':
      await save(true);
      return;
    case 'close':
      // Nothing more is written: the page deletes the database right after.
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = null;
      toRead.clear();
      user = null;
      db?.close();
      db = null;
      post({ t: 'closed' });
      return;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  handle(event.data).catch((error: unknown) => post({ t: 'error', message: String(error) }));
};
