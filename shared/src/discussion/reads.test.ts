import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../testing/sync.js';
import { addMessage, listMessages } from './messages.js';
import {
  applyKeepingCursor,
  getReadCursor,
  isReadBy,
  markRead,
  mergeCursor,
  seenBy,
  unreadCount,
} from './reads.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

describe('unread counts', () => {
  it('never counts my own messages as unread', () => {
    const doc = new Y.Doc();
    const m = addMessage(doc, { author: 'alice', text: 'moi', now: T0 });
    addMessage(doc, { author: 'alice', text: 'encore moi', now: T0 + 1 });
    expect(unreadCount(doc, 'alice')).toBe(0);
    expect(isReadBy(doc, 'alice', m.id)).toBe(true);
  });

  it('counts what others wrote until I mark the discussion read, on every replica', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    addMessage(alice, { author: 'alice', text: 'un', now: T0 });
    addMessage(alice, { author: 'alice', text: 'deux', now: T0 + 1 });
    r.flush();
    expect(unreadCount(bob, 'bob')).toBe(2);
    expect(markRead(bob, 'bob')).toBe(true);
    expect(unreadCount(bob, 'bob')).toBe(0);
    r.flush();
    expect(unreadCount(alice, 'bob')).toBe(0);
    addMessage(alice, { author: 'alice', text: 'trois', now: T0 + 2 });
    r.flush();
    expect(unreadCount(bob, 'bob')).toBe(1);
  });

  it('counts a late offline message as unread even though it sorts before what I already read', () => {
    const r = new ReplicaSet(3);
    const [alice, bob, carol] = r.docs;
    r.setOnline(2, false);
    const late = addMessage(carol, { author: 'carol', text: 'écrit dans le train', now: T0 });
    addMessage(alice, { author: 'alice', text: 'plus tard', now: T0 + 3600_000 });
    r.flush();
    markRead(bob, 'bob');
    r.flush();
    expect(unreadCount(bob, 'bob')).toBe(0);

    r.setOnline(2, true);
    r.flush();
    expect(listMessages(bob).map((m) => m.text)).toEqual(['écrit dans le train', 'plus tard']);
    expect(unreadCount(bob, 'bob')).toBe(1);
    expect(isReadBy(bob, 'bob', late.id)).toBe(false);
    // And once more on the replica that wrote it, for the reader's sake.
    expect(unreadCount(carol, 'bob')).toBe(1);
  });

  it('does not write a read cursor when nothing is unread, so two readers never answer each other forever', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    addMessage(alice, { author: 'alice', text: 'salut', now: T0 });
    r.flush();
    expect(markRead(bob, 'bob')).toBe(true);
    expect(markRead(alice, 'alice')).toBe(true);
    r.flush();

    const written: Uint8Array[] = [];
    for (const doc of r.docs)
      doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && written.push(u));
    // Each replica reacts to the other's cursor by "marking read" again: nothing may move.
    for (let round = 0; round < 3; round++) {
      expect(markRead(alice, 'alice')).toBe(false);
      expect(markRead(bob, 'bob')).toBe(false);
      r.flush();
    }
    expect(written).toHaveLength(0);
  });
});

describe('read cursors', () => {
  it('merges cursors by maximum per replica and reports when nothing changes', () => {
    expect(mergeCursor({ '1': 5, '2': 3 }, { '1': 2, '2': 7, '3': 1 })).toEqual({ '1': 5, '2': 7, '3': 1 });
    expect(mergeCursor({ '1': 5 }, { '1': 5 })).toBeNull();
    expect(mergeCursor({ '1': 5 }, { '1': 4 })).toBeNull();
    expect(mergeCursor(undefined, { '1': 1 })).toEqual({ '1': 1 });
  });

  it('never moves backwards when a device that saw less marks read after receiving a further cursor', () => {
    // Replica 0 is Alice, 1 and 2 are two devices of Bob (a phone and a laptop), 3 is Carol.
    const r = new ReplicaSet(4);
    const [alice, phone, laptop, carol] = r.docs;
    const localUpdates = (doc: Y.Doc) => {
      const out: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && out.push(u));
      return out;
    };
    addMessage(alice, { author: 'alice', text: 'un', now: T0 });
    r.flush();
    r.setOnline(2, false);
    addMessage(alice, { author: 'alice', text: 'deux', now: T0 + 1 });
    addMessage(alice, { author: 'alice', text: 'trois', now: T0 + 2 });
    r.flush();
    const fromPhone = localUpdates(phone);
    expect(markRead(phone, 'bob')).toBe(true);
    r.flush();
    const phoneCursor = getReadCursor(alice, 'bob')!;

    // The laptop, still behind on Alice's messages, receives the phone's cursor and a new
    // message from Carol (as a relay may deliver them), then marks read with what it has.
    const fromCarol = localUpdates(carol);
    addMessage(carol, { author: 'carol', text: 'quatre', now: T0 + 3 });
    for (const u of [...fromPhone, ...fromCarol]) Y.applyUpdate(laptop, u, 'remote');
    expect(unreadCount(laptop, 'bob')).toBe(1);
    expect(markRead(laptop, 'bob')).toBe(true);
    r.setOnline(2, true);
    r.flush();

    for (const doc of r.docs) {
      const cursor = getReadCursor(doc, 'bob')!;
      for (const [client, clock] of Object.entries(phoneCursor))
        expect(cursor[client]).toBeGreaterThanOrEqual(clock);
      expect(unreadCount(doc, 'bob')).toBe(0);
    }
  });

  it('keeps the furthest cursor whichever of two devices marks read first', () => {
    for (const [first, second] of [
      [1, 2],
      [2, 1],
    ]) {
      const r = new ReplicaSet(3);
      const [alice] = r.docs;
      addMessage(alice, { author: 'alice', text: 'un', now: T0 });
      r.flush();
      r.setOnline(2, false);
      addMessage(alice, { author: 'alice', text: 'deux', now: T0 + 1 });
      r.flush(); // device 1 has both messages, device 2 only the first
      markRead(r.docs[first], 'bob');
      r.setOnline(2, true);
      r.flush();
      markRead(r.docs[second], 'bob');
      r.flush();
      for (const doc of r.docs) expect(unreadCount(doc, 'bob')).toBe(0);
    }
  });
});

describe('applyKeepingCursor', () => {
  it('puts back the union when a device that saw less overwrites the cursor concurrently', () => {
    const replicas = () => {
      const server = new Y.Doc();
      addMessage(server, { author: 'alice', text: 'un', now: T0 });
      const [d1, d2] = [new Y.Doc(), new Y.Doc()];
      // The device that saw less has the greater client id, so its concurrent write wins the map key.
      d1.clientID = 1;
      d2.clientID = 2;
      Y.applyUpdate(d2, Y.encodeStateAsUpdate(server));
      addMessage(server, { author: 'alice', text: 'deux', now: T0 + 1 });
      Y.applyUpdate(d1, Y.encodeStateAsUpdate(server));
      markRead(d1, 'bob'); // saw both messages
      markRead(d2, 'bob'); // saw only the first
      Y.applyUpdate(server, Y.encodeStateAsUpdate(d1));
      return { server, late: Y.encodeStateAsUpdate(d2, Y.encodeStateVector(server)) };
    };
    const plain = replicas();
    Y.applyUpdate(plain.server, plain.late);
    expect(unreadCount(plain.server, 'bob')).toBe(1); // what the merge is for

    const kept = replicas();
    applyKeepingCursor(kept.server, 'bob', () => Y.applyUpdate(kept.server, kept.late), 'server');
    expect(unreadCount(kept.server, 'bob')).toBe(0);
  });
});

describe('seenBy', () => {
  it('lists the readers who have seen a message, never its author', () => {
    const r = new ReplicaSet(3);
    const [alice, bob, carol] = r.docs;
    const m = addMessage(alice, { author: 'alice', text: 'qui a vu ?', now: T0 });
    r.flush();
    markRead(alice, 'alice');
    r.flush();
    expect(seenBy(alice, m.id)).toEqual([]);
    markRead(bob, 'bob');
    r.flush();
    expect(seenBy(carol, m.id)).toEqual(['bob']);
    markRead(carol, 'carol');
    r.flush();
    expect(seenBy(alice, m.id).sort()).toEqual(['bob', 'carol']);
    expect(seenBy(alice, 'no-such-message')).toEqual([]);
  });

  it('does not count a reader who marked read before the message arrived', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    addMessage(alice, { author: 'alice', text: 'premier', now: T0 });
    r.flush();
    markRead(bob, 'bob');
    r.flush();
    const second = addMessage(alice, { author: 'alice', text: 'second', now: T0 + 1 });
    r.flush();
    expect(seenBy(alice, second.id)).toEqual([]);
    expect(isReadBy(alice, 'bob', second.id)).toBe(false);
  });
});
