import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocketTracker } from './socket-tracker.js';

class FakeSocket extends EventTarget {
  close() {
    this.dispatchEvent(new Event('close'));
  }
}

describe('SocketTracker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves at once when no socket is open', async () => {
    await expect(new SocketTracker().whenClosed(1_000)).resolves.toBeUndefined();
  });

  it('waits until every tracked socket has closed', async () => {
    const tracker = new SocketTracker<FakeSocket>();
    const a = tracker.track(new FakeSocket());
    const b = tracker.track(new FakeSocket());
    let done = false;
    void tracker.whenClosed(60_000).then(() => (done = true));
    a.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    b.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(tracker.size).toBe(0);
  });

  it('gives up waiting after the timeout (a socket that never reports its close)', async () => {
    const tracker = new SocketTracker<FakeSocket>();
    tracker.track(new FakeSocket());
    let done = false;
    void tracker.whenClosed(2_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });
});
