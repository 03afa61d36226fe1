import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleWaiters } from './idle-waiters.js';

describe('IdleWaiters', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves every waiter when the document becomes idle', async () => {
    const waiters = new IdleWaiters();
    const both = Promise.all([waiters.wait(1_000), waiters.wait(1_000)]);
    waiters.resolveAll();
    await expect(both).resolves.toHaveLength(2);
    expect(waiters.size).toBe(0);
  });

  it('rejects them when the document stops or disconnects', async () => {
    const waiters = new IdleWaiters();
    const waiting = waiters.wait(1_000);
    waiters.rejectAll(new Error('disconnected'));
    await expect(waiting).rejects.toThrow('disconnected');
  });

  it('rejects one that waited too long, and forgets it', async () => {
    const waiters = new IdleWaiters();
    const waiting = waiters.wait(1_000);
    const caught = waiting.catch((error: Error) => error.message);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await caught).toBe('timeout');
    expect(waiters.size).toBe(0);
  });
});
