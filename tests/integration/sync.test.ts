import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { addMessage, awarenessFrame, listMessages, readFrame } from '@palabre/shared';
import { rawSocket, refusalStatus, say, texts, until, waitForSync, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('sync server', () => {
  const server = useTestServer();
  const client = server.client;

  it('relays a message from one member to the other in real time', async () => {
    const { alice, a, b } = await server.aliceAndBob();
    addMessage(a.doc, { author: alice.user.id, text: 'Bonjour Bob', now: Date.now() });
    await until(() => listMessages(b.doc).length === 1, 5000, 'relay');
    expect(listMessages(b.doc)[0]).toMatchObject({ author: alice.user.id, text: 'Bonjour Bob' });
  });

  it('syncs both ways: a reply reaches the first writer and sorts after the question on both sides', async () => {
    const { alice, bob, a, b } = await server.aliceAndBob();
    say(a.doc, alice, 'As-tu reçu le devis ?');
    await until(() => texts(b.doc).length === 1, 5000, 'question at Bob');
    // Bob's clock is an hour behind: his reply must still come after the question.
    addMessage(b.doc, { author: bob.user.id, text: 'Oui, je le relis.', now: Date.now() - 3600_000 });
    await until(() => texts(a.doc).length === 2, 5000, 'reply at Alice');
    expect(texts(a.doc)).toEqual(['As-tu reçu le devis ?', 'Oui, je le relis.']);
    expect(texts(b.doc)).toEqual(texts(a.doc));
  });

  it('shows all messages of a three-person group in the same order to everyone, even written at once', async () => {
    const people = [
      await server.createUser('Alice'),
      await server.createUser('Bob'),
      await server.createUser('Carol'),
    ];
    const d = await server.createDiscussion(people[0], people.slice(1), 'Trio');
    const clients = people.map((p) => client(d.id, p.token));
    await Promise.all(clients.map((c) => waitForSync(c.provider)));
    // Everyone writes without waiting for the others.
    for (let round = 0; round < 5; round++) {
      people.forEach((p, i) => say(clients[i].doc, p, `${p.user.displayName} ${round}`));
    }
    await until(
      () => clients.every((c) => listMessages(c.doc).length === 15),
      10_000,
      'all 15 messages everywhere',
    );
    const [first, ...others] = clients.map((c) => listMessages(c.doc));
    for (const list of others) expect(list).toEqual(first);
    // A late joiner with an empty document gets the same history in the same order.
    const late = client(d.id, people[2].token);
    await waitForSync(late.provider);
    expect(listMessages(late.doc)).toEqual(first);
  });

  it('merges what two members wrote while one of them was offline, in the same order on both sides', async () => {
    const { alice, bob, a, b } = await server.aliceAndBob();
    say(a.doc, alice, 'avant la coupure');
    await until(() => texts(b.doc).length === 1, 5000, 'first message');

    b.provider.disconnect();
    say(b.doc, bob, 'écrit dans le train');
    say(a.doc, alice, 'pendant ce temps');
    // A long message (the maximum the app allows) travels as well as a short one.
    say(b.doc, bob, 'x'.repeat(10_000));
    await until(() => texts(a.doc).length === 2, 5000, 'Alice alone');
    b.provider.connect();
    await until(() => texts(a.doc).length === 4 && texts(b.doc).length === 4, 5000, 'catching up');
    expect(listMessages(b.doc)).toEqual(listMessages(a.doc));
  });

  it('refuses a non-member with 403 and an anonymous client with 401 before any document byte', async () => {
    const alice = await server.createUser();
    const bob = await server.createUser();
    const eve = await server.createUser();
    const d = await server.createDiscussion(alice, [bob]);
    const ws = server.url.replace('http', 'ws');
    expect(await refusalStatus(`${ws}/sync/${d.id}?token=${eve.token}`)).toBe(403);
    expect(await refusalStatus(`${ws}/sync/${d.id}`)).toBe(401);
    expect(await refusalStatus(`${ws}/sync/${d.id}?token=forged`)).toBe(401);
    expect(await refusalStatus(`${ws}/sync/unknowndiscussion1?token=${alice.token}`)).toBe(404);
    // The same member is let in with the token in a header instead.
    const accepted = await rawSocket(`${ws}/sync/${d.id}`, { authorization: `Bearer ${alice.token}` });
    await until(() => accepted.frames.length > 0, 5000, 'greeting');
    expect(accepted.frames[0][0]).toBe(0); // sync step 1 from the server
    accepted.close();
  });
});

describe('presence (awareness)', () => {
  const server = useTestServer();

  /** A raw client that sends its own awareness and records the client ids of every awareness frame it receives. */
  async function presence(discussionId: string, user: TestUser) {
    const ws = await rawSocket(
      `${server.url.replace(/^http/, 'ws')}/sync/${discussionId}?token=${user.token}`,
    );
    server.defer(() => ws.terminate());
    const awareness = new Awareness(new Y.Doc());
    const received: number[][] = [];
    const onFrame = (bytes: Uint8Array) => {
      const frame = readFrame(bytes);
      if (frame.type !== 'awareness') return;
      const before = new Set(awareness.getStates().keys());
      let ids: number[] = [];
      const track = (c: { added: number[]; updated: number[]; removed: number[] }) =>
        (ids = c.added.concat(c.updated, c.removed));
      awareness.on('update', track);
      applyAwarenessUpdate(awareness, frame.update, 'server');
      awareness.off('update', track);
      // A frame that changes nothing (an echo) is counted against every client it could repeat.
      received.push(ids.length > 0 ? ids : [...before]);
    };
    ws.frames.splice(0).forEach(onFrame);
    ws.on('message', (data) => onFrame(new Uint8Array(data as ArrayBuffer)));
    return {
      awareness,
      received,
      announce(state: Record<string, unknown>) {
        awareness.setLocalState(state);
        ws.send(awarenessFrame(encodeAwarenessUpdate(awareness, [awareness.clientID])));
      },
    };
  }

  it('relays presence to the others once, never back to its sender, although stock clients re-broadcast it', async () => {
    const [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => server.createUser(n)));
    const d = await server.createDiscussion(alice, [bob, carol], 'Présence');
    const a = await presence(d.id, alice);
    const b = await presence(d.id, bob);
    // Carol runs the stock y-websocket client, which sends every awareness change it applies.
    const c = await server.synced(d.id, carol.token);
    a.announce({ name: 'Alice', typing: true });
    await until(() => c.provider.awareness.getStates().has(a.awareness.clientID), 5000, 'Alice at Carol');
    // Carol's own state leaves after her re-broadcast of Alice's, on the same socket: once it
    // has reached Alice and Bob, any echo would have reached them too.
    c.provider.awareness.setLocalState({ name: 'Carol' });
    const carolId = c.provider.awareness.clientID;
    await until(
      () => a.awareness.getStates().has(carolId) && b.awareness.getStates().has(carolId),
      5000,
      "Carol's presence",
    );
    expect(b.awareness.getStates().get(a.awareness.clientID)).toEqual({ name: 'Alice', typing: true });
    expect(b.received.filter((ids) => ids.includes(a.awareness.clientID))).toHaveLength(1);
    expect(a.received.filter((ids) => ids.includes(a.awareness.clientID))).toEqual([]);
  });
});
