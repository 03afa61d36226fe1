import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, type ReadCursor } from '@palabre/shared/discussion/index';
import { Acknowledgements, type AckStore } from './acks.js';
import { relayedFromMyPhone } from './relayed.test-helper.js';

const ME = 'me00000000000000000a';

function memoryStore(initial: ReadCursor | null = null): AckStore & { value: ReadCursor | null } {
  const store = {
    value: initial,
    load: () => store.value,
    merge(next: ReadCursor) {
      const merged = { ...(store.value ?? {}) };
      for (const [c, clock] of Object.entries(next)) merged[c] = Math.max(merged[c] ?? 0, clock);
      store.value = merged;
      return merged;
    },
    clear: () => void (store.value = null),
  };
  return store;
}

const texts = (acks: Acknowledgements, doc: Y.Doc) => acks.pending(doc, ME).map((m) => m.text);

describe('Acknowledgements', () => {
  it('a message is pending until the server’s state vector covers it, and that is stored', () => {
    const doc = new Y.Doc();
    const store = memoryStore();
    const acks = new Acknowledgements(store);
    addMessage(doc, { author: ME, text: 'sent', now: 1 });
    expect(texts(acks, doc)).toEqual(['sent']);
    const shared = acks.fromServerAck(Y.encodeStateVector(doc));
    expect(shared).toEqual(store.value);
    addMessage(doc, { author: ME, text: 'written after the ack', now: 2 });
    expect(texts(acks, doc)).toEqual(['written after the ack']);
    // A reload reads the stored vector: what was acknowledged stays acknowledged.
    expect(texts(new Acknowledgements(store), doc)).toEqual(['written after the ack']);
  });

  it('counts what the server sent as acknowledged (my message relayed from another device)', () => {
    const { laptop, update } = relayedFromMyPhone(ME, 'from my phone');
    const acks = new Acknowledgements(memoryStore());
    expect(texts(acks, laptop)).toEqual(['from my phone']);
    expect(acks.fromServerUpdate(update)).not.toBeNull();
    expect(texts(acks, laptop)).toEqual([]);
  });

  it('says when an acknowledgement adds nothing, so nobody is told twice', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'x', now: 1 });
    const acks = new Acknowledgements(memoryStore());
    expect(acks.fromServerAck(Y.encodeStateVector(doc))).not.toBeNull();
    expect(acks.fromServerAck(Y.encodeStateVector(doc))).toBeNull();
    expect(acks.fromOtherTab(acks.vector!)).toBe(false);
  });

  it('takes another tab’s acknowledgements without storing them again', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'acked in the other tab', now: 1 });
    const store = memoryStore();
    const acks = new Acknowledgements(store);
    const cursor: ReadCursor = { [String(doc.clientID)]: Y.getState(doc.store, doc.clientID) };
    expect(acks.fromOtherTab(cursor)).toBe(true);
    expect(texts(acks, doc)).toEqual([]);
    expect(store.value).toBeNull();
  });

  it('keeps the same pending set object while nothing changes (no needless re-render)', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'a', now: 1 });
    const acks = new Acknowledgements(memoryStore());
    acks.pending(doc, ME);
    const first = acks.pendingIds;
    acks.pending(doc, ME);
    expect(acks.pendingIds).toBe(first);
    addMessage(doc, { author: ME, text: 'b', now: 2 });
    acks.pending(doc, ME);
    expect(acks.pendingIds).not.toBe(first);
    expect(acks.pendingIds.size).toBe(2);
  });

  it('forgets everything with the discarded document', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'a', now: 1 });
    const store = memoryStore();
    const acks = new Acknowledgements(store);
    acks.fromServerAck(Y.encodeStateVector(doc));
    acks.forget();
    expect(store.value).toBeNull();
    expect(acks.vector).toBeUndefined();
    expect(texts(acks, doc)).toEqual(['a']);
  });
});
