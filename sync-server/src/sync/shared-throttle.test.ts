/**
 * The login throttle shared through the broker, on one node (the local broker): the same counts
 * as the throttle alone, each failure counted once although this node both sends and receives it.
 * Across nodes on Redis: tests/integration/cluster.test.ts; over HTTP on one node:
 * tests/integration/origin-and-sessions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../services/login-throttle.js';
import { createLocalBroker, type Control } from './broker.js';
import { shareThrottle } from './shared-throttle.js';

const limits = {
  loginFreeAttemptsPerAccount: 3,
  loginFreeAttemptsPerAddress: 10,
  loginBaseDelayMs: 1000,
  loginMaxDelayAccountMs: 60_000,
  loginMaxDelayAddressMs: 300_000,
  loginForgetAfterMs: 900_000,
};

function setup() {
  const broker = createLocalBroker();
  const sent: Control[] = [];
  broker.onControl((m) => sent.push(m));
  const throttle = shareThrottle(new LoginThrottle(limits, () => 1_000_000), broker);
  return { throttle, sent };
}

describe('shareThrottle on one node', () => {
  it('counts each failure once: the free attempts and delays of the throttle alone', () => {
    const { throttle } = setup();
    throttle.failed('claire', '10.0.0.1');
    throttle.failed('claire', '10.0.0.1');
    expect(throttle.retryAfterMs('claire', '10.0.0.2')).toBe(0);
    throttle.failed('claire', '10.0.0.1');
    expect(throttle.retryAfterMs('claire', '10.0.0.2')).toBe(1000);
    throttle.failed('claire', '10.0.0.1');
    expect(throttle.retryAfterMs('claire', '10.0.0.2')).toBe(2000);
  });

  it('a success clears the account, not the address', () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++) throttle.failed('claire', '10.0.0.1');
    throttle.succeeded('claire');
    expect(throttle.retryAfterMs('claire', '10.0.0.2')).toBe(0);
    // The address's tenth failure locked it, and it stays locked.
    expect(throttle.retryAfterMs('someone', '10.0.0.1')).toBe(1000);
    // Cleared, not merely unlocked: the account has its free attempts again.
    throttle.failed('claire', '10.0.0.2');
    throttle.failed('claire', '10.0.0.2');
    expect(throttle.retryAfterMs('claire', '10.0.0.2')).toBe(0);
  });

  it("sends the throttle's keys only", () => {
    const { throttle, sent } = setup();
    throttle.failed('claire', '10.0.0.1');
    throttle.succeeded('claire');
    expect(sent).toEqual([
      { kind: 'login-failed', account: 'claire', address: '10.0.0.1' },
      { kind: 'login-succeeded', account: 'claire' },
    ]);
  });
});
