/** What DocManager (doc-manager.ts) keeps of each loaded document, and its group commit's waiters. */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
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
  sinceCompaction: number;
  unloadTimer: NodeJS.Timeout | null;
  purgeTimer: NodeJS.Timeout | null;
  users: number;
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
