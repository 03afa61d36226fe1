/**
 * The background sync driver: keeps every discussion's local document up to date, so any of them
 * can be read offline, including those never opened. A discussion needs a sync when its summary's
 * version is ahead of the version last synced here, or when it holds my messages still waiting
 * (pending first, then the most recent activity: `syncOrder`). The pool (pool.ts) decides when
 * and how many; this file decides what and what one sync is.
 */
import type { DocInfo } from './storage.js';
import { syncOrder } from './offline.js';
import { SyncPool } from './pool.js';

/** Background syncs at once: with the events socket and the open thread, 4 sockets at most. */
export const POOL_SIZE = 2;
/** A background sync that takes longer is abandoned and retried later. */
export const SYNC_TIMEOUT_MS = 30_000;
/** A live document records a version only after this long in sync (its updates are in). */
export const LIVE_SETTLE_MS = 1_000;
/** The pool starts this long after the first paint, when the page is idle. */
const START_DELAY_MS = 500;

/** What one sync needs of a discussion document (SyncedDoc in the app). */
export interface SyncableDoc {
  readonly live: boolean;
  readonly whenLoaded: Promise<void>;
  whenIdle(timeoutMs: number): Promise<void>;
  whenSocketsClosed(timeoutMs: number): Promise<void>;
}

export interface BackgroundSyncDeps {
  /** The signed-in user, or null. */
  user(): string | null;
  /** My discussions as the server last listed them. */
  summaries(): Iterable<{ id: string; version: number; lastActivityAt: number }>;
  version(id: string): number | undefined;
  /** Worth trying now (the events socket is connected and the browser online). */
  online(): boolean;
  /** The document registry: holding a document connects it (registry.svelte.ts). */
  docs: {
    acquire(user: string, id: string, options: { background: true }): SyncableDoc;
    release(id: string): void;
    peek(id: string): SyncableDoc | undefined;
    held(id: string): boolean;
  };
  /** What the local documents say (local-cache.svelte.ts). */
  cache: { get(id: string): DocInfo; update(id: string, patch: Partial<DocInfo>): void };
}

export class BackgroundSync {
  readonly #pool: SyncPool;
  #startTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: BackgroundSyncDeps) {
    this.#pool = new SyncPool({
      concurrency: POOL_SIZE,
      candidates: () => this.candidates(),
      canRun: () => deps.online() && deps.user() !== null,
      run: (id) => this.syncOne(id),
      gapMs: 100,
    });
  }

  /** After the first paint, and when the page is idle: starting is never in the way of showing. */
  startSoon(): void {
    if (this.#startTimer || typeof window === 'undefined') return;
    this.#startTimer = setTimeout(() => {
      const go = () => {
        if (this.deps.user()) this.#pool.start();
      };
      if ('requestIdleCallback' in window) requestIdleCallback(go, { timeout: 2_000 });
      else go();
    }, START_DELAY_MS);
  }

  /** Something changed (a new version, the events socket connected): look again. */
  kick(): void {
    this.#pool.kick();
  }

  /** Back online: failed syncs are tried now, not after their backoff. */
  resetBackoff(): void {
    this.#pool.resetBackoff();
  }

  stop(): void {
    this.#pool.stop();
    if (this.#startTimer) clearTimeout(this.#startTimer);
    this.#startTimer = null;
  }

  /** The discussions to sync, best first. */
  candidates(): string[] {
    return syncOrder(
      [...this.deps.summaries()].map((summary) => {
        const info = this.deps.cache.get(summary.id);
        return {
          id: summary.id,
          version: summary.version,
          syncedVersion: info.v,
          pending: info.pending,
          activityAt: Math.max(summary.lastActivityAt, info.last?.ts ?? 0),
        };
      }),
    );
  }

  /**
   * One sync: open the local document (IndexedDB), connect, wait until it holds the server's
   * state and the server acknowledged all my messages, record the version, let go. The document
   * itself writes unread count, last message and pending to the local cache.
   */
  async syncOne(id: string): Promise<void> {
    const { docs, cache } = this.deps;
    const me = this.deps.user();
    const version = this.deps.version(id);
    if (!me || version === undefined) return;
    const wasLive = docs.peek(id)?.live ?? false;
    const doc = docs.acquire(me, id, { background: true });
    try {
      await doc.whenLoaded;
      await doc.whenIdle(SYNC_TIMEOUT_MS);
      if (wasLive) {
        // Already connected (the open thread): the update behind this version may still be on
        // its way on the sync socket; give it a moment.
        await new Promise((resolve) => setTimeout(resolve, LIVE_SETTLE_MS));
        if (!doc.live) throw new Error('connection lost');
      }
      if (this.deps.user() === me) cache.update(id, { v: version });
    } finally {
      docs.release(id);
      // The slot frees only once the socket is really gone (see the connection limit); a
      // document still held (the open thread) keeps its socket.
      if (!docs.held(id)) await doc.whenSocketsClosed(2_000);
    }
  }
}
