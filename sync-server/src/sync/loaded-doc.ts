/** What DocManager (doc-manager.ts) keeps of each loaded document, the rows it holds, and its group commit's waiters. */
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { DocStore, RowId } from '../storage/types.js';
import type { Peer } from './doc-session.js';

export interface Loaded {
  readonly id: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly peers: Set<Peer>;
  queue: Promise<void>;
  /** Steps queued and not started yet. */
  waiting: number;
  /** Steps ever queued (each step's number), and how many were when the last write ended. */
  enqueued: number;
  cut: number;
  pending: { update: Uint8Array; origin: unknown }[];
  /** The next group commit, as `commitSoon` callers wait for it; null when none asked for. */
  batch: Batch | null;
  /** How many of `pending` were there at the last `commitSoon` (did the step change anything?). */
  staged: number;
  lastSeq: number;
  /** The stored rows this copy holds (a compaction folds in only the others: DocStore.compact). */
  held: Set<RowId>;
  /** The periodic compaction under way (doc-manager.ts commit), if any. */
  compacting: Promise<void> | null;
  sinceCompaction: number;
  unloadTimer: NodeJS.Timeout | null;
  purgeTimer: NodeJS.Timeout | null;
  users: number;
}

/** A document just loaded from storage: its rows (all held), their last sequence number. */
export function newLoaded(
  id: string,
  doc: Y.Doc,
  stored: { lastSeq: number; rows: RowId[]; sinceCompaction: number },
): Loaded {
  const awareness = new Awareness(doc);
  // The server holds no awareness state of its own.
  awareness.setLocalState(null);
  return {
    id,
    doc,
    awareness,
    peers: new Set(),
    queue: Promise.resolve(),
    waiting: 0,
    enqueued: 0,
    cut: 0,
    pending: [],
    batch: null,
    staged: 0,
    lastSeq: stored.lastSeq,
    held: new Set(stored.rows),
    compacting: null,
    sinceCompaction: stored.sinceCompaction,
    unloadTimer: null,
    purgeTimer: null,
    users: 0,
  };
}

/**
 * At most this many held rows are remembered, the oldest forgotten first (a node applying
 * another's updates, and never compacting itself, would otherwise collect them without end):
 * a compaction then folds a forgotten row in again, which costs time, not data.
 */
const HELD_MAX = 4000;

export function hold(d: Loaded, rows: RowId[]): void {
  for (const row of rows) d.held.add(row);
  if (d.held.size <= HELD_MAX) return;
  for (const row of d.held) {
    if (d.held.size <= HELD_MAX / 2) break;
    d.held.delete(row);
  }
}

/**
 * Replace the stored rows up to the document's last sequence number by a snapshot of it, taken
 * now with the rows it holds. What it lacked (another node's rows, not received yet) comes back
 * folded into the stored snapshot, and is applied here too (`applyMissed`), so this copy holds
 * the new row; every row it held before is gone (all were at or below that number), the ones
 * applied meanwhile stay held. Nothing to do when nothing was stored since the last one.
 */
export async function storeSnapshot(
  store: DocStore,
  d: Loaded,
  applyMissed: (update: Uint8Array) => void,
): Promise<void> {
  if (d.sinceCompaction === 0 || d.lastSeq === 0) return;
  const since = d.sinceCompaction;
  d.sinceCompaction = 0;
  const held = new Set(d.held);
  try {
    const { row, missed } = await store.compact(d.id, Y.encodeStateAsUpdate(d.doc), d.lastSeq, held);
    if (missed.length > 0) applyMissed(Y.mergeUpdates(missed));
    d.held = new Set([row, ...[...d.held].filter((r) => !held.has(r))]);
  } catch (err) {
    d.sinceCompaction += since; // the next commit tries again
    throw err;
  }
}

export interface Batch {
  readonly stored: Promise<boolean>;
  resolve(): void;
  reject(err: unknown): void;
}

export function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const stored = new Promise<boolean>((res, rej) => {
    resolve = () => res(true);
    reject = rej;
  });
  // A batch nobody waits for any more (its connections closed) must not crash the process.
  stored.catch(() => undefined);
  return { stored, resolve, reject };
}
