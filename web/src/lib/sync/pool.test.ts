import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncPool } from './pool.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SyncPool', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never runs more jobs than its concurrency, whatever the number of candidates', async () => {
    const todo = new Set(Array.from({ length: 50 }, (_, i) => `d${i}`));
    const jobs = new Map<string, ReturnType<typeof deferred>>();
    let maxRunning = 0;
    const pool = new SyncPool({
      concurrency: 2,
      candidates: () => [...todo],
      canRun: () => true,
      run: (id) => {
        const job = deferred();
        jobs.set(id, job);
        maxRunning = Math.max(maxRunning, pool.running.size);
        return job.promise.then(() => void todo.delete(id));
      },
    });
    pool.start();
    while (todo.size > 0) {
      await vi.advanceTimersByTimeAsync(1);
      for (const id of pool.running) jobs.get(id)?.resolve();
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(maxRunning).toBe(2);
    expect(jobs.size).toBe(50);
  });

  it('does nothing while it cannot run, and starts when kicked', async () => {
    let online = false;
    const run = vi.fn(() => Promise.resolve());
    const pool = new SyncPool({ concurrency: 2, candidates: () => ['a'], canRun: () => online, run });
    pool.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(run).not.toHaveBeenCalled();
    online = true;
    pool.kick();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledWith('a');
  });

  it('retries a failed discussion later, with backoff, without blocking the others', async () => {
    const calls: string[] = [];
    const done = new Set<string>();
    const pool = new SyncPool({
      concurrency: 1,
      candidates: () => ['broken', 'fine'].filter((id) => !done.has(id)),
      canRun: () => true,
      run: async (id) => {
        calls.push(id);
        if (id === 'broken') throw new Error('server gone');
        done.add(id);
      },
      backoff: { baseMs: 1_000, maxMs: 10_000 },
    });
    // Full jitter draws the delay in [0, 1 s] for the first retry: the middle of it here.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    pool.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(['broken', 'fine']);
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toEqual(['broken', 'fine']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(['broken', 'fine', 'broken']);
    random.mockRestore();
  });

  it('forgets the backoff when asked (back online)', async () => {
    const calls: string[] = [];
    const pool = new SyncPool({
      concurrency: 1,
      candidates: () => ['a'],
      canRun: () => true,
      run: async (id) => {
        calls.push(id);
        throw new Error('offline');
      },
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    pool.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    pool.resetBackoff();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(2);
  });

  it('stops taking jobs once stopped', async () => {
    const run = vi.fn(() => Promise.resolve());
    const pool = new SyncPool({ concurrency: 2, candidates: () => ['a'], canRun: () => true, run });
    pool.start();
    pool.stop();
    await vi.advanceTimersByTimeAsync(10);
    expect(run).not.toHaveBeenCalled();
  });
});
