/**
 * A token bucket: `rate` tokens per second on average, at most `burst` at once. Used per sync
 * connection for frames and for bytes, so a client may catch up in a burst after being offline
 * but cannot flood a discussion for long.
 */
import { monotonicMs } from '../clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicMs,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Take `amount` tokens; false (and nothing taken) when there are not enough. */
  take(amount = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}
