import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../testing/sync.js';
import { deleteMessage, editMessage } from './edits.js';
import { MENTION_ALL, mentionToken } from './mentions.js';
import { addMessage, listMessages } from './messages.js';
import { ReadTracker } from './read-tracker.js';
import { markRead, seenBy, unreadCount } from './reads.js';
import { readsMap } from './schema.js';
import type { MessageRecord } from './record.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const say = (doc: Y.Doc, author: string, text: string, at = 0) =>
  addMessage(doc, { author, text, now: T0 + at });

/** A tracker must always agree with a full rescan of the document. */
function expectConsistent(tracker: ReadTracker, doc: Y.Doc, userId: string) {
  const fresh = new ReadTracker(doc, userId);
  expect({ unread: tracker.unread, mentions: tracker.mentions }).toEqual({
    unread: fresh.unread,
    mentions: fresh.mentions,
  });
  expect(tracker.unread).toBe(unreadCount(doc, userId));
  fresh.destroy();
}

describe('unread and mention counts', () => {
  it('counts unread messages and, separately, those that mention me; reading clears both', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const t = new ReadTracker(bob, 'bob');
    say(alice, 'alice', 'bonjour');
    say(alice, 'alice', `${mentionToken('bob')} tu as vu ?`, 1);
    say(alice, 'alice', `${mentionToken('carol')} et toi ?`, 2);
    r.flush();
    expect([t.unread, t.mentions]).toEqual([3, 1]);
    markRead(bob, 'bob');
    expect([t.unread, t.mentions]).toEqual([0, 0]);
    expectConsistent(t, bob, 'bob');
  });

  it('counts « @tous » as a mention of every member but its author', () => {
    const r = new ReplicaSet(3);
    const [alice, bob, carol] = r.docs;
    const tb = new ReadTracker(bob, 'bob');
    const ta = new ReadTracker(alice, 'alice');
    say(alice, 'alice', `${mentionToken(MENTION_ALL)} réunion à 10 h`);
    r.flush();
    expect(tb.mentions).toBe(1);
    expect(new ReadTracker(carol, 'carol').mentions).toBe(1);
    expect(ta.mentions).toBe(0);
  });

  it('counts a mention written offline that arrives late, and tells about it when it arrives', () => {
    const r = new ReplicaSet(3);
    const [alice, bob, carol] = r.docs;
    const arrived: MessageRecord[] = [];
    const t = new ReadTracker(bob, 'bob', { onMention: (m) => arrived.push(m) });
    r.setOnline(2, false);
    const late = say(carol, 'carol', `${mentionToken('bob')} écrit dans le train`);
    say(alice, 'alice', 'plus tard', 3600_000);
    r.flush();
    markRead(bob, 'bob');
    r.flush();
    expect([t.unread, t.mentions]).toEqual([0, 0]);
    r.setOnline(2, true);
    r.flush();
    expect([t.unread, t.mentions]).toEqual([1, 1]);
    expect(arrived.map((m) => m.id)).toEqual([late.id]);
    expect(t.firstUnread()).toBe(late.id);
    expectConsistent(t, bob, 'bob');
  });

  it('counts go down when an unread message is deleted, mention included', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const t = new ReadTracker(bob, 'bob');
    const m = say(alice, 'alice', `${mentionToken('bob')} oups`);
    say(alice, 'alice', 'reste', 1);
    r.flush();
    expect([t.unread, t.mentions]).toEqual([2, 1]);
    deleteMessage(alice, { id: m.id, by: 'alice', now: T0 + 5 });
    r.flush();
    expect([t.unread, t.mentions]).toEqual([1, 0]);
    expectConsistent(t, bob, 'bob');
  });

  it('does not make a read message unread again when its author edits it', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const t = new ReadTracker(bob, 'bob');
    const m = say(alice, 'alice', 'rendez-vous à 10 h');
    r.flush();
    markRead(bob, 'bob');
    r.flush();
    editMessage(alice, { id: m.id, author: 'alice', text: 'rendez-vous à 11 h', now: T0 + 9 });
    r.flush();
    expect(t.unread).toBe(0);
    expect(seenBy(alice, m.id)).toEqual(['bob']);
    expectConsistent(t, bob, 'bob');
  });

  it('converges when two devices of one user move the cursor concurrently, never staying behind', () => {
    // Two devices of bob (1 and 2) and alice (0).
    const r = new ReplicaSet(3);
    const [alice, phone, laptop] = r.docs;
    say(alice, 'alice', 'un');
    r.flush();
    r.setOnline(1, false);
    say(alice, 'alice', 'deux', 1);
    r.flush(); // the laptop sees « deux », the phone does not
    markRead(phone, 'bob'); // the phone read « un » only
    markRead(laptop, 'bob'); // the laptop read both
    const onLaptop = new ReadTracker(laptop, 'bob');
    expect(onLaptop.unread).toBe(0);
    r.setOnline(1, true);
    r.flush();
    // Whichever cursor won, a device that still sees something unread marks it again.
    for (const doc of [phone, laptop]) markRead(doc, 'bob');
    r.flush();
    for (const doc of [phone, laptop]) expect(unreadCount(doc, 'bob')).toBe(0);
    expect(onLaptop.unread).toBe(0);
    expectConsistent(onLaptop, laptop, 'bob');
  });

  it('rescans when my cursor moves backwards, so the count is right again', () => {
    const doc = new Y.Doc();
    say(doc, 'alice', 'un');
    const t = new ReadTracker(doc, 'bob');
    markRead(doc, 'bob');
    expect(t.unread).toBe(0);
    readsMap(doc).set('bob', {});
    expect(t.unread).toBe(1);
    expectConsistent(t, doc, 'bob');
  });

  it('places « Nouveaux messages » at my first unread message in display order', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    say(alice, 'alice', 'lu');
    r.flush();
    markRead(bob, 'bob');
    const t = new ReadTracker(bob, 'bob');
    const first = say(alice, 'alice', 'nouveau 1', 10);
    say(alice, 'alice', 'nouveau 2', 11);
    r.flush();
    expect(t.firstUnread()).toBe(first.id);
    deleteMessage(alice, { id: first.id, by: 'alice', now: T0 + 20 });
    r.flush();
    expect(t.firstUnread()).toBe(listMessages(bob).at(-1)?.id);
    markRead(bob, 'bob');
    expect(t.firstUnread()).toBeNull();
  });
});

describe('« Vu »', () => {
  it('lists who has seen my last message, and follows my new last message', () => {
    const r = new ReplicaSet(3);
    const [alice, bob, carol] = r.docs;
    const t = new ReadTracker(alice, 'alice');
    const first = say(alice, 'alice', 'premier');
    r.flush();
    expect(t.seen()).toEqual({ messageId: first.id, by: [] });
    markRead(bob, 'bob');
    r.flush();
    expect(t.seen()).toEqual({ messageId: first.id, by: ['bob'] });
    const second = say(alice, 'alice', 'second', 1);
    r.flush();
    expect(t.seen()).toEqual({ messageId: second.id, by: [] });
    markRead(carol, 'carol');
    markRead(bob, 'bob');
    r.flush();
    expect(t.seen()?.by.sort()).toEqual(['bob', 'carol']);
  });

  it('falls back to my previous message when my last one is deleted', () => {
    const doc = new Y.Doc();
    const first = say(doc, 'alice', 'premier');
    const t = new ReadTracker(doc, 'alice');
    const second = say(doc, 'alice', 'second', 1);
    expect(t.seen()?.messageId).toBe(second.id);
    deleteMessage(doc, { id: second.id, by: 'alice', now: T0 + 2 });
    expect(t.seen()?.messageId).toBe(first.id);
  });
});
