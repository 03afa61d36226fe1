import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage } from '../discussion/index.js';
import { ReplicaSet } from '../testing/sync.js';
import { acknowledge, isPending, pendingMessages } from './outbox.js';

// Delivery exactly once is proven against the real server: tests/integration/outbox.test.ts.
describe('outbox', () => {
  it('keeps messages written offline pending, in the order written, until the server acknowledges them', () => {
    const set = new ReplicaSet(2); // 0: the author's browser, 1: the server
    const [browser, server] = set.docs;
    set.setOnline(0, false);
    const written = ['un', 'deux', 'trois'].map((text, i) =>
      addMessage(browser, { author: 'alice', text, now: 1_000 - i * 100 }),
    );
    // The clock went backwards between messages: the order is still the order written.
    expect(pendingMessages(browser, 'alice', undefined).map((m) => m.text)).toEqual(['un', 'deux', 'trois']);

    set.setOnline(0, true);
    set.flush();
    const acked = acknowledge(undefined, Y.encodeStateVector(server));
    expect(acked).not.toBeNull();
    expect(pendingMessages(browser, 'alice', acked!)).toEqual([]);
    expect(written.every((m) => !isPending(browser, m.id, acked!))).toBe(true);
  });

  it('only counts my own messages, and an acknowledgement never goes back', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: 'bob', text: 'de Bob', now: 1 });
    addMessage(doc, { author: 'alice', text: 'de moi', now: 2 });
    expect(pendingMessages(doc, 'alice', undefined).map((m) => m.text)).toEqual(['de moi']);
    const full = acknowledge(undefined, Y.encodeStateVector(doc))!;
    expect(acknowledge(full, Y.encodeStateVector(new Y.Doc()))).toBeNull();
  });
});
