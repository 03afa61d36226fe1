/**
 * The background sync pool: brings discussions up to date one after the other, at most
 * `concurrency` at a time, so a tab never holds more than that many extra sockets whatever the
 * number of discussions. What to sync is asked of `candidates()` each time a slot frees up; a
 * failed job (server gone, timeout) is retried later with backoff, without blocking the others.
 */
import { backoffDelay, type BackoffOptions } from '@palabre/shared/sync/backoff';

export interface PoolOptions {
  concurrency: number;
  /** Ids that need a sync, best first (the pool skips those running or cooling down). */
  candidates(): string[];
  /** False while there is no point trying (offline, signed out). */
  canRun(): boolean;
  /** Sync one discussion; resolves when done, rejects on failure. */
  run(id: string): Promise<void>;
  /** Pause before a slot takes its next job, so background work never hogs the page. */
  gapMs?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

export class SyncPool {
  #running = new Set<string>();
  #failures = new Map<string, { count: number; until: number }>();
  #started = false;
  #pumpTimer: ReturnType<typeof setTimeout> | null = null;
  #wakeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: PoolOptions) {}

  get running(): ReadonlySet<string> {
    return this.#running;
  }

  get started(): boolean {
    return this.#started;
  }

  start(): void {
    this.#started = true;
    this.kick();
  }

  /** Stop taking jobs (running ones finish on their own). */
  stop(): void {
    this.#started = false;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    this.#pumpTimer = this.#wakeTimer = null;
    this.#failures.clear();
  }

  /** Something changed (a new version, back online): look for work soon. */
  kick(delayMs = 0): void {
    if (!this.#started || this.#pumpTimer) return;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = null;
      this.#pump();
    }, delayMs);
  }

  /** Forget failures (the network came back): everything may be tried at once. */
  resetBackoff(): void {
    this.#failures.clear();
    this.kick();
  }

  #pump(): void {
    if (!this.#started || !this.options.canRun()) return;
    const now = this.options.now?.() ?? Date.now();
    let nextWake = Infinity;
    for (const id of this.options.candidates()) {
      if (this.#running.size >= this.options.concurrency) break;
      if (this.#running.has(id)) continue;
      const failure = this.#failures.get(id);
      if (failure && failure.until > now) {
        nextWake = Math.min(nextWake, failure.until);
        continue;
      }
      this.#launch(id);
    }
    if (nextWake !== Infinity && this.#running.size < this.options.concurrency) {
      if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
      this.#wakeTimer = setTimeout(
        () => {
          this.#wakeTimer = null;
          this.kick();
        },
        Math.max(0, nextWake - now),
      );
    }
  }

  #launch(id: string): void {
    this.#running.add(id);
    let job: Promise<void>;
    try {
      job = this.options.run(id);
    } catch (error) {
      job = Promise.reject(error);
    }
    job
      .then(
        () => this.#failures.delete(id),
        () => {
          const count = (this.#failures.get(id)?.count ?? 0) + 1;
          const now = this.options.now?.() ?? Date.now();
          const delay = backoffDelay(count - 1, this.options.backoff ?? { baseMs: 2_000, maxMs: 60_000 });
          this.#failures.set(id, { count, until: now + delay });
        },
      )
      .finally(() => {
        this.#running.delete(id);
        this.kick(this.options.gapMs ?? 0);
      });
  }
}
