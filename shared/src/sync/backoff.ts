import { CloseCode } from '../close-codes.js';

const RATE_LIMITED_CLOSE: number = CloseCode.RateLimited;

/** Reconnect delays: exponential, capped, with full jitter so a restarted server is not stampeded. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };

/**
 * Delay before attempt number `attempt` (0 = first retry): "full jitter", uniform in [0, cap]
 * where cap = min(maxMs, baseMs * 2^attempt). Spreading over the whole range (not [cap/2, cap])
 * is what spreads the reconnections of many clients after a server restart the most.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * cap);
}

/** After a 4429 (too many updates), a client waits this long at least before reconnecting. */
export const RATE_LIMITED_PAUSE_MS = 30_000;

/**
 * Delay before reconnecting after the server closed with `code`. A flood verdict (4429) is
 * answered with a long pause, uniform in [30 s, 60 s], whatever the attempt count: reconnecting
 * at once would only flood again.
 */
export function delayAfterClose(
  code: number,
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  if (code === RATE_LIMITED_CLOSE) return Math.round(RATE_LIMITED_PAUSE_MS * (1 + random()));
  return backoffDelay(attempt, options, random);
}
