/** The login throttle across nodes (services/login-throttle.ts keeps the counts of one). */
import type { LoginThrottle, Throttle } from '../services/login-throttle.js';
import type { Broker } from './broker.js';

/**
 * This node's throttle, fed with every node's failed logins and clearing successes: each one is a
 * broker control message, which the broker delivers to this node at once (counted here once, by
 * the handler, never also directly) and to the others on arrival, where each records it on its
 * own clock. The message carries the throttle's keys only, never the password. Should the broker
 * lose one (Redis away), throttling falls back to per node for that failure: each node still
 * counts those it sees.
 */
export function shareThrottle(
  throttle: LoginThrottle,
  broker: Pick<Broker, 'control' | 'onControl'>,
): Throttle {
  broker.onControl((m) => {
    if (m.kind === 'login-failed') throttle.failed(m.account, m.address);
    else if (m.kind === 'login-succeeded') throttle.succeeded(m.account);
  });
  return {
    retryAfterMs: (account, address) => throttle.retryAfterMs(account, address),
    failed: (account, address) => broker.control({ kind: 'login-failed', account, address }),
    succeeded: (account) => broker.control({ kind: 'login-succeeded', account }),
  };
}
