import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../testing/sync.js';
import {
  addMessage,
  compareMessages,
  lastMessage,
  latestTs,
  listMessages,
  MessageTooLongError,
  nextTs,
} from './messages.js';
import { messagesMap } from './schema.js';
import { MAX_MESSAGE_LENGTH, type MessageRecord } from './record.js';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

const record = (id: string, author: string, ts: number): MessageRecord => ({ id, author, text: id, ts });

/** A small deterministic generator, so a shuffled list is the same on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const texts = (doc: Y.Doc) => listMessages(doc).map((m) => m.text);

describe('message order', () => {
  const records = [
    record('m1', 'bob', 10),
    record('m2', 'alice', 10),
    record('m0', 'alice', 10),
    record('m3', 'alice', 5),
    record('m4', 'carol', 20),
    record('m5', 'bob', 10),
  ];

  it('sorts by time, then author, then message id, whatever order the records arrive in', () => {
    const expected = ['m3', 'm0', 'm2', 'm1', 'm5', 'm4'];
    for (let seed = 1; seed <= 20; seed++) {
      expect(
        shuffled(records, seed)
          .sort(compareMessages)
          .map((m) => m.id),
      ).toEqual(expected);
    }
  });

  it('is a total order: only a record compared with itself is equal, and swapping the pair flips the sign', () => {
    for (const a of records) {
      for (const b of records) {
        const ab = compareMessages(a, b);
        expect(Math.sign(ab) + Math.sign(compareMessages(b, a))).toBe(0);
        expect(ab === 0).toBe(a === b);
      }
    }
  });

  it('lists the same history in the same order on a replica that received the messages in another order', () => {
    const source = new Y.Doc();
    for (const r of records) messagesMap(source).set(r.id, r);
    const reversed = new Y.Doc();
    for (const r of [...records].reverse()) messagesMap(reversed).set(r.id, r);
    expect(listMessages(reversed)).toEqual(listMessages(source));
    expect(lastMessage(source)).toEqual(listMessages(source).at(-1));
  });

  it('ignores entries that are not message records instead of failing the whole list', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: 'alice', text: 'valid', now: T0 });
    (messagesMap(doc) as Y.Map<unknown>).set('junk', { id: 'junk', text: 42 });
    (messagesMap(doc) as Y.Map<unknown>).set('nan', { id: 'nan', author: 'x', text: 'x', ts: NaN });
    expect(texts(doc)).toEqual(['valid']);
    expect(lastMessage(doc)?.text).toBe('valid');
  });
});

describe('hybrid logical clock', () => {
  it('uses the wall clock when it is ahead of every message in the document', () => {
    const doc = new Y.Doc();
    expect(nextTs(doc, T0 + 0.7)).toBe(T0);
    addMessage(doc, { author: 'alice', text: 'hello', now: T0 });
    expect(nextTs(doc, T0 + 1000)).toBe(T0 + 1000);
  });

  it('puts a reply after what its author had seen even when the author clock is three hours behind', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const question = addMessage(alice, { author: 'alice', text: 'On se voit à 14 h ?', now: T0 });
    r.flush();
    const reply = addMessage(bob, { author: 'bob', text: 'Oui, parfait.', now: T0 - 3 * HOUR });
    r.flush();
    expect(reply.ts).toBe(question.ts + 1);
    for (const doc of r.docs) expect(texts(doc)).toEqual(['On se voit à 14 h ?', 'Oui, parfait.']);
    expect(latestTs(alice)).toBe(reply.ts);
  });

  it('keeps a conversation in reply order when the two authors clocks disagree by hours', () => {
    const r = new ReplicaSet(2);
    const skew = [0, -5 * HOUR];
    for (let turn = 0; turn < 10; turn++) {
      const who = turn % 2;
      addMessage(r.docs[who], {
        author: who === 0 ? 'alice' : 'bob',
        text: `turn ${turn}`,
        now: T0 + turn + skew[who],
      });
      r.flush();
    }
    for (const doc of r.docs) expect(texts(doc)).toEqual(Array.from({ length: 10 }, (_, i) => `turn ${i}`));
  });
});

describe('addMessage', () => {
  it('trims surrounding blank lines and trailing spaces but keeps the inner layout', () => {
    const doc = new Y.Doc();
    const m = addMessage(doc, { author: 'alice', text: '\n\n  Liste :\n- un\n- deux  \n\n', now: T0 });
    expect(m.text).toBe('  Liste :\n- un\n- deux');
  });

  it('refuses an empty message and one longer than the limit, and writes nothing for either', () => {
    const doc = new Y.Doc();
    expect(() => addMessage(doc, { author: 'alice', text: ' \n\t ', now: T0 })).toThrow();
    expect(() =>
      addMessage(doc, { author: 'alice', text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1), now: T0 }),
    ).toThrow(MessageTooLongError);
    expect(messagesMap(doc).size).toBe(0);
    expect(
      addMessage(doc, { author: 'alice', text: 'x'.repeat(MAX_MESSAGE_LENGTH), now: T0 }).text,
    ).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});

describe('replicas', () => {
  it('converges to the same ordered history when three replicas write offline and concurrently', () => {
    const r = new ReplicaSet(3);
    const authors = ['alice', 'bob', 'carol'];
    addMessage(r.docs[0], { author: 'alice', text: 'Bonjour à tous', now: T0 });
    r.flush();

    // Everyone goes offline and keeps writing, each with a different clock.
    const skews = [0, -2 * HOUR, 7 * 60_000];
    r.docs.forEach((_, i) => r.setOnline(i, false));
    for (let k = 0; k < 4; k++) {
      r.docs.forEach((doc, i) =>
        addMessage(doc, {
          author: authors[i],
          text: `${authors[i]} offline ${k}`,
          now: T0 + k * 1000 + skews[i],
        }),
      );
    }
    // Two come back and write concurrently (queued, not yet flushed), the third is still away.
    r.setOnline(0, true);
    r.setOnline(1, true);
    addMessage(r.docs[0], { author: 'alice', text: 'alice back', now: T0 + 60_000 });
    addMessage(r.docs[1], { author: 'bob', text: 'bob back', now: T0 + 60_000 });
    r.flush();
    r.setOnline(2, true);
    r.flush();

    const [first, ...others] = r.docs.map((doc) => listMessages(doc));
    expect(first).toHaveLength(1 + 3 * 4 + 2);
    for (const list of others) expect(list).toEqual(first);
    const vectors = r.docs.map((doc) => Y.encodeStateVector(doc));
    expect(vectors[1]).toEqual(vectors[0]);
    expect(vectors[2]).toEqual(vectors[0]);
    // Each author's own messages keep the order they were written in.
    for (const author of authors) {
      const own = first.filter((m) => m.author === author && m.text.includes('offline')).map((m) => m.text);
      expect(own).toEqual([0, 1, 2, 3].map((k) => `${author} offline ${k}`));
    }
  });

  it('does not duplicate a message delivered twice, or delivered again inside a full state', () => {
    const sender = new Y.Doc();
    const updates: Uint8Array[] = [];
    sender.on('update', (u: Uint8Array) => updates.push(u));
    addMessage(sender, { author: 'alice', text: 'une seule fois', now: T0 });
    const receiver = new Y.Doc();
    Y.applyUpdate(receiver, updates[0]);
    Y.applyUpdate(receiver, updates[0]);
    Y.applyUpdate(receiver, Y.encodeStateAsUpdate(sender));
    Y.applyUpdate(receiver, Y.mergeUpdates([updates[0], Y.encodeStateAsUpdate(sender)]));
    expect(texts(receiver)).toEqual(['une seule fois']);
  });
});
