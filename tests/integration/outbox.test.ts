/**
 * The outbox against the real server (ARCHITECTURE.md, "Pending messages"): the sync client
 * (DocSync) and outbox.ts over real sockets and the real SQLite store, with a store in front that
 * fails or holds appends. A message waits until the server's acknowledgement covers it; it is
 * resent when a connection fails before the commit and not lost when one is cut between the
 * commit and the acknowledgement; and whatever was sent how many times, it is stored once, and
 * reaches a colleague once.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  acknowledge,
  addMessage,
  DocSync,
  pendingMessages,
  readFrame,
  SyncStep,
  type ReadCursor,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { ControlledDocStore } from './controlled-store.js';
import { texts, until } from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('outbox against the real server', () => {
  let store: ControlledDocStore;
  const server = useTestServer({
    wrapDocStore: (inner) => (store = new ControlledDocStore(inner)),
  });

  /** How many times each text occurs in the bytes the store holds for the discussion. */
  async function storedCopies(id: string, wanted: string[]): Promise<number[]> {
    const rows = (await server.storage.docs.load(id)).updates.map((u) => Buffer.from(u).toString('utf8'));
    return wanted.map((text) => rows.reduce((n, row) => n + row.split(text).length - 1, 0));
  }

  it('delivers exactly once what was resent after failed and cut connections, or sent by two tabs, and clears it once acknowledged', async () => {
    const [alice, bob] = await server.createUsers('Alice', 'Bob');
    const d = await server.createDiscussion(alice, [bob], 'Envois');

    // What the server acknowledged, shared by Alice's tabs (the web app keeps it beside the
    // document and relays it between tabs).
    let acked: ReadCursor | undefined;
    /** One tab of Alice's: her client as the web app runs it, with its sockets at hand to cut them. */
    function tab() {
      const doc = new Y.Doc();
      const sockets: WebSocket[] = [];
      const sync = new DocSync(doc, {
        url: `${server.url.replace(/^http/, 'ws')}/sync/${d.id}?token=${alice.token}`,
        socket: (url) => {
          const ws = new WebSocket(url);
          sockets.push(ws);
          return ws as never;
        },
        backoff: { baseMs: 20, maxMs: 200 },
      });
      server.defer(() => sync.destroy());
      sync.on('ack', (sv) => (acked = acknowledge(acked, sv) ?? acked));
      const pending = () => pendingMessages(doc, alice.user.id, acked).map((m) => m.text);
      return { doc, sync, sockets, pending };
    }
    const first = tab();
    const write = (text: string) => addMessage(first.doc, { author: alice.user.id, text, now: Date.now() });

    // Written offline: waiting.
    write('Premier envoi');
    write('Deuxième envoi');
    expect(first.pending()).toEqual(['Premier envoi', 'Deuxième envoi']);

    // The store fails: every attempt is closed with 4500, the client tries again and again.
    store.fail();
    first.sync.connect();
    await until(() => first.sockets.length >= 3, 10_000, 'two refused attempts and a third');
    expect(first.pending()).toEqual(['Premier envoi', 'Deuxième envoi']);
    expect(await storedCopies(d.id, ['Premier envoi', 'Deuxième envoi'])).toEqual([0, 0]);

    // The disk works again: the next attempt stores them, and the acknowledgement clears them.
    store.recover();
    await until(() => first.pending().length === 0, 10_000, 'the acknowledgement');
    expect(await storedCopies(d.id, ['Premier envoi', 'Deuxième envoi'])).toEqual([1, 1]);

    // Bob joins; every message that reaches him is counted, frame by frame.
    const bobClient = await connectAttacker(server.url, d.id, bob.token);
    server.defer(() => bobClient.socket.terminate());
    const all = ['Premier envoi', 'Deuxième envoi', 'Troisième envoi', 'Quatrième envoi'];
    const arrivals = new Map<string, number>(texts(bobClient.doc).map((text) => [text, 1]));
    bobClient.socket.on('message', (data) => {
      const frame = readFrame(new Uint8Array(data as ArrayBuffer));
      if (frame.type !== 'sync' || frame.step === SyncStep.Step1) return;
      const bytes = Buffer.from(frame.payload).toString('utf8');
      for (const text of all) if (bytes.includes(text)) arrivals.set(text, (arrivals.get(text) ?? 0) + 1);
    });

    // The connection dies after the server took a message but before its acknowledgement left.
    store.hold();
    write('Troisième envoi');
    await until(() => store.waiting === 1, 5_000, 'the append to be held');
    const cut = first.sockets.length;
    first.sockets.at(-1)!.terminate();
    store.release();
    await until(() => first.sockets.length > cut, 5_000, 'the client to reconnect');
    await until(() => first.pending().length === 0, 10_000, 'the acknowledgement after reconnecting');

    // A second tab, kept in step with the first as the web app's tabs are: both send the next
    // message, each on its own connection.
    const second = tab();
    const relay = (from: Y.Doc, to: Y.Doc) =>
      from.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== 'tab') Y.applyUpdate(to, update, 'tab');
      });
    relay(first.doc, second.doc);
    relay(second.doc, first.doc);
    Y.applyUpdate(second.doc, Y.encodeStateAsUpdate(first.doc), 'tab');
    second.sync.connect();
    await until(() => first.sync.synced && second.sync.synced, 5_000, 'both tabs in sync');
    write('Quatrième envoi');
    await until(
      () => first.pending().length === 0 && second.pending().length === 0,
      10_000,
      'both tabs acknowledged',
    );

    await until(() => texts(bobClient.doc).length === all.length, 5_000, 'Bob to get them all');
    // A resend that came through twice would show here: in what Bob received or in the store.
    await until(() => first.sync.synced, 5_000, 'the first tab to be in sync');
    expect(texts(bobClient.doc)).toEqual(all);
    expect(Object.fromEntries(arrivals)).toEqual(Object.fromEntries(all.map((text) => [text, 1])));
    expect(await storedCopies(d.id, all)).toEqual([1, 1, 1, 1]);
    const fresh = await server.synced(d.id, bob.token);
    expect(texts(fresh.doc)).toEqual(all);
  });
});
