/**
 * Login throttling: growing delays per account and per client address.
 *
 * Each key (an account name, a client address) may fail a few times freely; after that every
 * failure doubles the time before the next attempt is even considered, up to a cap. A locked
 * attempt is answered 429 without checking the password, so guessing costs time, not CPU. The
 * account's cap is short (a minute by default): someone hammering a colleague's name can slow
 * them down, never lock them out for long. The address cap is longer. A success clears the account.
 * Memory is bounded: idle keys are forgotten, and the oldest go first past maxKeys.
 *
 * Several nodes share their failures and successes through the broker (sync/shared-throttle.ts),
 * so a guesser gets the free attempts and delays of one node, whichever nodes they reach.
 */
import type { Limits } from '../limits.js';

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

type ThrottleLimits = Pick<
  Limits,
  | 'loginFreeAttemptsPerAccount'
  | 'loginFreeAttemptsPerAddress'
  | 'loginBaseDelayMs'
  | 'loginMaxDelayAccountMs'
  | 'loginMaxDelayAddressMs'
  | 'loginForgetAfterMs'
>;

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds to wait before this attempt may be checked, or 0 when it may be now. */
  retryAfterMs(account: string, address: string): number {
    const now = this.now();
    let wait = 0;
    for (const key of [accountKey(account), addressKey(address)]) {
      const entry = this.fresh(key, now);
      if (entry) wait = Math.max(wait, entry.lockedUntil - now);
    }
    return Math.max(0, wait);
  }

  failed(account: string, address: string): void {
    const now = this.now();
    this.bump(
      accountKey(account),
      now,
      this.limits.loginFreeAttemptsPerAccount,
      this.limits.loginMaxDelayAccountMs,
    );
    this.bump(
      addressKey(address),
      now,
      this.limits.loginFreeAttemptsPerAddress,
      this.limits.loginMaxDelayAddressMs,
    );
  }

  /**
   * A success clears the account's failures only: the address keeps its count (until it is
   * forgotten), or an insider could wipe it by logging into their own account between guesses.
   */
  succeeded(account: string): void {
    this.entries.delete(accountKey(account));
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(key: string, now: number): Entry | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (now - entry.lastFailure > this.limits.loginForgetAfterMs && now >= entry.lockedUntil) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }

  private bump(key: string, now: number, free: number, maxDelay: number): void {
    const entry = this.fresh(key, now) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    entry.failures++;
    entry.lastFailure = now;
    // After `free` failures the next attempt waits: base, then twice as long after each failure.
    const over = entry.failures - free;
    if (over >= 0) {
      const delay = Math.min(maxDelay, this.limits.loginBaseDelayMs * 2 ** Math.min(over, 30));
      entry.lockedUntil = now + delay;
    }
    // Re-insert so Map order is "least recently failed first" for eviction.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

const accountKey = (account: string) => `u:${account.trim().toLowerCase()}`;
const addressKey = (address: string) => `a:${address}`;

/** What a login needs of a throttle (AuthService): a LoginThrottle, or one every node shares (sync/shared-throttle.ts). */
export type Throttle = Pick<LoginThrottle, 'retryAfterMs' | 'failed' | 'succeeded'>;
