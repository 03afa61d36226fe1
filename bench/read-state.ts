/**
 * Unread, mention and « Vu » computation after one new message, in a discussion of 10,000
 * messages and 50 members (every member with a read cursor, one message in ten mentioning the
 * reader). Pure CPU, in-process: the ReadTracker's incremental update against the full rescan the
 * app would otherwise do (unreadCount, a mention count over every message, seenBy).
 */
import * as Y from 'yjs';
import {
  DiscussionKind,
  ReadTracker,
  Role,
  addMessage,
  covers,
  createdIdOf,
  initDiscussion,
  isMessageRecord,
  mentionToken,
  mentions,
  messagesMap,
  newId,
  readsMap,
  seenBy,
  stateVectorOf,
  unreadCount,
} from '@palabre/shared';
import { sampleText } from './history.js';
import { summarize, type Summary } from './stats.js';

export interface ReadStateCost {
  messages: number;
  members: number;
  updates: number;
  /** Microseconds per new message: Y.applyUpdate on a document without any tracker. */
  applyAlone: Summary;
  /** Same, with the tracker observing, then unread, mentions, first unread and « Vu » read. */
  applyTracked: Summary;
  /** Microseconds: the same four answers by rescanning the document. */
  rescan: Summary;
  /** What both gave after the last update (they must agree). */
  last: { unread: number; mentions: number };
}

function fullRescan(doc: Y.Doc, me: string, myLast: string) {
  const map = messagesMap(doc);
  const cursor = readsMap(doc).get(me);
  let mentioned = 0;
  for (const [key, m] of map.entries()) {
    if (!isMessageRecord(m) || m.deletedAt !== undefined || !mentions(m, me)) continue;
    const id = createdIdOf(map as Y.Map<unknown>, key);
    if (id && !covers(cursor, id)) mentioned++;
  }
  return { unread: unreadCount(doc, me), mentions: mentioned, seen: seenBy(doc, myLast).length };
}

export function measureReadState(size: number, memberCount: number, updates: number): ReadStateCost {
  const members = Array.from({ length: memberCount }, () => newId());
  const me = members[0];
  const source = new Y.Doc();
  initDiscussion(source, {
    id: newId(),
    kind: DiscussionKind.Group,
    title: 'Lecture',
    createdBy: me,
    createdAt: Date.now() - size * 60_000,
    members: members.map((userId, i) => ({ userId, role: i === 0 ? Role.Owner : Role.Member })),
  });
  const start = Date.now() - size * 60_000;
  let myLast = '';
  // Written by several sessions (a new Yjs client every 500 messages), as a real history is.
  for (let i = 0; i < size; i++) {
    if (i % 500 === 0) source.clientID = 1 + i / 500;
    const author = members[i % memberCount];
    const text = i % 10 === 3 ? `${mentionToken(me)} ${sampleText(i)}` : sampleText(i);
    const m = addMessage(source, { author, text, now: start + i * 1000 });
    if (author === me) myLast = m.id;
    // Members read at different points of the history, so every cursor is a real state vector.
    const reader = members[(i * 7) % memberCount];
    if (i % 97 === 0) readsMap(source).set(reader, stateVectorOf(source));
  }
  const state = Y.encodeStateAsUpdate(source);
  const plain = new Y.Doc();
  const tracked = new Y.Doc();
  Y.applyUpdate(plain, state);
  Y.applyUpdate(tracked, state);
  const tracker = new ReadTracker(tracked, me);

  const writer = new Y.Doc();
  Y.applyUpdate(writer, state);
  const produced: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => produced.push(u));
  const alone: number[] = [];
  const withTracker: number[] = [];
  const rescan: number[] = [];
  let last = { unread: 0, mentions: 0 };
  const warmup = Math.min(200, updates);
  for (let i = 0; i < warmup + updates; i++) {
    const author = members[1 + (i % (memberCount - 1))];
    const text = i % 10 === 3 ? `${mentionToken(me)} ${sampleText(size + i)}` : sampleText(size + i);
    addMessage(writer, { author, text, now: Date.now() });
    const u = produced.pop();
    if (!u || produced.length) throw new Error('expected exactly one update');

    const t0 = performance.now();
    Y.applyUpdate(plain, u);
    const t1 = performance.now();
    Y.applyUpdate(tracked, u);
    const answer = { unread: tracker.unread, mentions: tracker.mentions };
    tracker.firstUnread();
    tracker.seen();
    const t2 = performance.now();
    const slow = fullRescan(plain, me, myLast);
    const t3 = performance.now();
    if (slow.unread !== answer.unread || slow.mentions !== answer.mentions)
      throw new Error(`tracker ${JSON.stringify(answer)} disagrees with rescan ${JSON.stringify(slow)}`);
    last = answer;
    if (i < warmup) continue;
    alone.push((t1 - t0) * 1000);
    withTracker.push((t2 - t1) * 1000);
    rescan.push((t3 - t2) * 1000);
  }
  tracker.destroy();
  return {
    messages: size,
    members: memberCount,
    updates,
    applyAlone: summarize(alone),
    applyTracked: summarize(withTracker),
    rescan: summarize(rescan),
    last,
  };
}
