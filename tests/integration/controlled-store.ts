/**
 * A DocStore in front of the real SQLite one whose appends a test can slow down, hold or make
 * fail: what a networked store (Postgres) or a full disk would do. Loads, compactions and
 * removals go straight through.
 */
import type { DocStore } from '@palabre/sync-server';

export class ControlledDocStore implements DocStore {
  /** Appends that reached the inner store. */
  committed = 0;
  /** Appends waiting for `release()`. */
  private held: (() => void)[] = [];
  private holding = false;
  private failing: Error | null = null;
  /** Every append first waits this long (a store across the network). */
  delayMs = 0;

  constructor(private readonly inner: DocStore) {}

  /** From now on, appends wait until `release()`. */
  hold(): void {
    this.holding = true;
  }

  /** Let every held append (and those to come) through. */
  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  /** From now on, appends fail (held ones too, once released) without storing anything. */
  fail(error = new Error('disk full')): void {
    this.failing = error;
  }

  /** Appends work again. */
  recover(): void {
    this.failing = null;
  }

  get waiting(): number {
    return this.held.length;
  }

  load(docId: string) {
    return this.inner.load(docId);
  }

  async append(docId: string, update: Uint8Array): Promise<number> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failing) throw this.failing;
    const seq = await this.inner.append(docId, update);
    this.committed++;
    return seq;
  }

  compact(docId: string, snapshot: Uint8Array, upToSeq: number) {
    return this.inner.compact(docId, snapshot, upToSeq);
  }

  version(docId: string) {
    return this.inner.version(docId);
  }

  remove(docId: string) {
    return this.inner.remove(docId);
  }
}
