import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../close-codes.js';
import { delayAfterClose, RATE_LIMITED_PAUSE_MS } from './backoff.js';
import { DocSync } from './doc-sync.js';

/** A socket the test drives by hand: it opens when told and closes with the code given. */
class FakeSocket {
  binaryType = '';
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(): void {}
  close(): void {}
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

describe('reconnecting after the server said to slow down (4429)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const sockets: FakeSocket[] = [];
    const sync = new DocSync(new Y.Doc(), {
      url: 'ws://server/sync/x',
      socket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
    });
    sync.connect();
    sockets[0].open();
    return { sync, sockets };
  }

  it('waits at least 30 s, even when the browser says it is online again', () => {
    const { sync, sockets } = setup();
    sockets[0].serverClose(CloseCode.RateLimited);
    sync.retryNow();
    sync.connect();
    vi.advanceTimersByTime(RATE_LIMITED_PAUSE_MS - 1);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(RATE_LIMITED_PAUSE_MS + 1);
    expect(sockets).toHaveLength(2);
    sync.destroy();
  });

  it('reconnects within a second after an ordinary drop', () => {
    const { sync, sockets } = setup();
    sockets[0].serverClose(1006);
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(2);
    sync.destroy();
  });

  it('spreads the pause between 30 and 60 s', () => {
    expect(delayAfterClose(CloseCode.RateLimited, 0, undefined, () => 0)).toBe(30_000);
    expect(delayAfterClose(CloseCode.RateLimited, 0, undefined, () => 0.999)).toBeLessThanOrEqual(60_000);
    expect(delayAfterClose(1006, 0, undefined, () => 0)).toBeLessThan(1000);
  });
});
