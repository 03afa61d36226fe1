import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { guardStore, settledWithin } from './local-copy.js';

describe('the local copy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes on without IndexedDB when it does not answer in time', async () => {
    let loaded = false;
    void settledWithin(new Promise(() => undefined), 5_000).then(() => (loaded = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(loaded).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(loaded).toBe(true);
  });

  it('counts a failed open as loaded (empty), never as a rejection', async () => {
    await expect(settledWithin(Promise.reject(new Error('blocked')), 5_000)).resolves.toBeUndefined();
  });

  it('a write to a database another tab deleted does not break the document', () => {
    const doc = new Y.Doc();
    const writes: Uint8Array[] = [];
    // y-indexeddb's shape: a _storeUpdate handler registered on the doc.
    const persistence = {
      _storeUpdate: (update: Uint8Array) => {
        if (writes.length > 0) throw new Error('InvalidStateError: the database connection is closing');
        writes.push(update);
      },
    };
    doc.on('update', persistence._storeUpdate);
    guardStore(persistence, doc);
    doc.getMap('messages').set('a', 1);
    expect(() => doc.getMap('messages').set('b', 2)).not.toThrow();
    expect(writes).toHaveLength(1);
    expect(doc.getMap('messages').get('b')).toBe(2);
  });
});
