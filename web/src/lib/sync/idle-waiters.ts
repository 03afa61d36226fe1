/**
 * Promises waiting for a document to be idle (in sync with the server, nothing of mine waiting):
 * the background pool's definition of "done". Resolved together when the document says it is
 * idle, rejected together when it stops, disconnects or is destroyed, each after its own timeout.
 */

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class IdleWaiters {
  #waiters = new Set<Waiter>();

  get size(): number {
    return this.#waiters.size;
  }

  /** A promise settled by resolveAll/rejectAll, or rejected with 'timeout' after timeoutMs. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error('timeout'));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  resolveAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.resolve();
  }

  rejectAll(error: Error): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
