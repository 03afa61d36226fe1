/**
 * Messages between a tab and the search worker (shared by the user's tabs where SharedWorker
 * exists: 'results' and 'closed' go to the tab that asked, the rest to every tab). The page tells the worker what changed in
 * the documents it has open (and which discussions exist); the worker owns the index, its
 * persistence in IndexedDB, and reads the documents the page has not opened.
 */
import type { Coverage, MessageHit, SearchMessage } from '@palabre/shared/search/index';

export interface WireFilters {
  authors?: string[];
  discussions?: string[];
  hasFile?: boolean;
  hasPin?: boolean;
  before?: number | null;
  after?: number | null;
}

/** Where a cold load spent its time (ms): opening the database, reading it, restoring the index. */
export interface LoadPhases {
  open: number;
  /** The whole read, and when the snapshot and the records each arrived (read in parallel). */
  read: number;
  readSnapshot: number;
  readUnits: number;
  restore: number;
}

export type ToWorker =
  /** Start for this user: load the persisted index. */
  | { t: 'open'; user: string }
  /** A document's content as it is now (first read in this tab): unchanged messages are skipped. */
  | { t: 'replace'; id: string; messages: SearchMessage[]; pins: string[]; covered: Coverage }
  /** Some messages of an open document changed. */
  | {
      t: 'apply';
      id: string;
      upserts: SearchMessage[];
      deletes: string[];
      pins?: string[];
      covered: Coverage;
    }
  /** My discussions and the server version each local document holds: read those not covered. */
  | { t: 'discussions'; items: { id: string; v: number }[] }
  | { t: 'search'; q: number; text: string; filters: WireFilters; limit: number }
  /** The user lost access: drop its entries, here and on disk. */
  | { t: 'forget'; id: string }
  /** The page is going away: save what is not saved yet. */
  | { t: 'flush' }
  /** Sign-out: close the database (it is about to be deleted) and answer 'closed'. */
  | { t: 'close' }
  /** This tab stops talking to the shared worker (sign-out, or search stopped). */
  | { t: 'bye' };

export type FromWorker =
  | { t: 'ready'; messages: number; indexed: number; loadMs: number; phases?: LoadPhases }
  | { t: 'results'; q: number; hits: MessageHit[]; ms: number; size: number }
  /** The index changed (a result list on screen may be stale). */
  | { t: 'changed' }
  | { t: 'closed' }
  | { t: 'error'; message: string };
