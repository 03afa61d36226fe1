/**
 * Commit before relay (ARCHITECTURE.md, "Data flow" 4 and "Durability"): no client receives an
 * update, by relay, by acknowledgement or in its first sync, before the store has committed
 * it; when the store fails, every connection of the discussion closes with 4500 and nothing of
 * the failed update survives in memory. The store in front of SQLite holds or fails appends.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addMessage,
  CloseCode,
  listMessages,
  messagesMap,
  readFrame,
  SyncStep,
  type DiscussionSummary,
} from '@palabre/shared';
import { connectAttacker, type Attacker } from './attacker.js';
import { ControlledDocStore } from './controlled-store.js';
import { texts, until, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

/** Resolves once everything the server sent this socket before now has arrived (a ping's pong follows it). */
function drained(a: Attacker): Promise<void> {
  return new Promise((resolve) => {
    a.socket.once('pong', () => resolve());
    a.socket.ping();
  });
}

/** The state vectors of the step 1 frames (acknowledgements) a client receives from now on. */
function acks(a: Attacker): Map<number, number>[] {
  const received: Map<number, number>[] = [];
  a.socket.on('message', (data) => {
    const frame = readFrame(new Uint8Array(data as ArrayBuffer));
    if (frame.type === 'sync' && frame.step === SyncStep.Step1)
      received.push(Y.decodeStateVector(frame.payload));
  });
  return received;
}

describe('commit before relay', () => {
  let store: ControlledDocStore;
  const server = useTestServer({
    wrapDocStore: (inner) => (store = new ControlledDocStore(inner)),
  });
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let d: DiscussionSummary;

  beforeEach(async () => {
    [alice, bob, carol] = await server.createUsers('Alice', 'Bob', 'Carol');
    d = await server.createDiscussion(alice, [bob, carol], 'Stockage');
  });

  async function member(user: TestUser): Promise<Attacker> {
    const a = await connectAttacker(server.url, d.id, user.token);
    server.defer(() => a.socket.terminate());
    return a;
  }

  async function stored(): Promise<string[]> {
    const doc = new Y.Doc();
    for (const u of (await server.storage.docs.load(d.id)).updates) Y.applyUpdate(doc, u);
    return texts(doc);
  }

  it('relays, acknowledges and serves nothing until the store has committed it', async () => {
    const writer = await member(alice);
    const reader = await member(bob);
    const ackOf = acks(writer);
    store.hold();
    let sent = '';
    writer.change(
      (doc) => (sent = addMessage(doc, { author: alice.user.id, text: 'Bien reçu ?', now: Date.now() }).id),
    );
    await until(() => store.waiting === 1, 5000, 'the append to be held');
    // Someone opening the discussion meanwhile is not served the uncommitted message either.
    const late = server.client(d.id, carol.token);
    await Promise.all([drained(writer), drained(reader)]);
    expect(messagesMap(reader.doc).has(sent)).toBe(false);
    expect(ackOf.some((sv) => (sv.get(writer.doc.clientID) ?? 0) > 0)).toBe(false);
    expect(messagesMap(late.doc).has(sent)).toBe(false);
    expect(await stored()).toEqual([]);

    store.release();
    await until(() => messagesMap(reader.doc).has(sent), 5000, 'the relay after the commit');
    await until(
      () => ackOf.some((sv) => (sv.get(writer.doc.clientID) ?? 0) > 0),
      5000,
      'the acknowledgement',
    );
    await until(() => messagesMap(late.doc).has(sent), 5000, 'the late client to get it');
    expect(await stored()).toEqual(['Bien reçu ?']);
  });

  it('stores the updates that arrive during a write together in the next write, each relayed and acknowledged only once stored', async () => {
    const first = await member(alice);
    const writers = [await member(bob), await member(carol)];
    const reader = await member(alice);
    const ackOf = writers.map(acks);
    store.hold();
    first.change((doc) => addMessage(doc, { author: alice.user.id, text: 'premier', now: Date.now() }));
    await until(() => store.waiting === 1, 5000, 'the first append to be held');
    // Three updates queue up behind the held write (group commit: one write for the three).
    const [bobs, carols] = writers;
    bobs.change((doc) => addMessage(doc, { author: bob.user.id, text: 'de Bob 1', now: Date.now() }));
    bobs.change((doc) => addMessage(doc, { author: bob.user.id, text: 'de Bob 2', now: Date.now() }));
    carols.change((doc) => addMessage(doc, { author: carol.user.id, text: 'de Carol', now: Date.now() }));
    await Promise.all([...writers, reader].map(drained));
    expect(texts(reader.doc)).toEqual([]);
    const before = store.committed;
    store.hold(); // the next write waits too: still nothing relayed nor acknowledged
    store.release();
    store.hold();
    await until(() => store.waiting === 1, 5000, 'the second append to be held');
    await Promise.all([...writers, reader].map(drained));
    expect(store.committed).toBe(before + 1);
    expect(texts(reader.doc)).toEqual(['premier']);
    const acked = (i: number) => ackOf[i].some((sv) => (sv.get(writers[i].doc.clientID) ?? 0) > 0);
    expect([acked(0), acked(1)]).toEqual([false, false]);
    store.release();
    await until(() => texts(reader.doc).length === 4, 5000, 'the three relayed once stored');
    await until(() => acked(0) && acked(1), 5000, 'both writers acknowledged');
    expect(store.committed).toBe(before + 2);
    expect((await stored()).sort()).toEqual(['de Bob 1', 'de Bob 2', 'de Carol', 'premier']);
  });

  it('closes every connection of the discussion with 4500 when the store fails, and keeps nothing of the update', async () => {
    const writer = await member(alice);
    const reader = await member(bob);
    const witness = await member(carol);
    const ackOf = acks(writer);
    // Something committed first: it must survive the failure.
    writer.change((doc) =>
      addMessage(doc, { author: alice.user.id, text: 'avant la panne', now: Date.now() }),
    );
    await until(() => texts(reader.doc).length === 1, 5000, 'the first message');
    const acksBefore = ackOf.length;

    store.fail();
    writer.change((doc) => addMessage(doc, { author: alice.user.id, text: 'perdu', now: Date.now() }));
    expect(await Promise.all([writer.closed, reader.closed, witness.closed])).toEqual([
      CloseCode.StorageFailed,
      CloseCode.StorageFailed,
      CloseCode.StorageFailed,
    ]);
    expect(texts(reader.doc)).toEqual(['avant la panne']);
    expect(texts(witness.doc)).toEqual(['avant la panne']);
    expect(ackOf.length).toBe(acksBefore);

    // The disk works again: the next visitor gets what is stored, and memory holds no more than that.
    store.recover();
    const fresh = await server.synced(d.id, bob.token);
    expect(texts(fresh.doc)).toEqual(['avant la panne']);
    expect(await stored()).toEqual(['avant la panne']);
    // The author's client resends what was not acknowledged when it reconnects: stored once.
    const again = await member(alice);
    again.sendUpdate(Y.encodeStateAsUpdate(writer.doc));
    await until(() => texts(fresh.doc).length === 2, 5000, 'the resent message');
    expect(listMessages(fresh.doc).map((m) => m.text)).toEqual(['avant la panne', 'perdu']);
    expect(await stored()).toEqual(['avant la panne', 'perdu']);
  });
});
