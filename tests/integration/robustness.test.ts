import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { CloseCode, messagesMap, updateFrame } from '@palabre/shared';
import {
  closeCode,
  messageUpdate,
  rawSocket,
  say,
  texts,
  until,
  waitForSync,
  type TestUser,
} from './helpers.js';
import { useTestServer } from './server-fixture.js';

/** Bytes that look random but are the same on every run, so a failure can be replayed. */
function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** An update that deletes nothing: one range of length 0 on a client nobody knows. */
function emptyDeletion(): Uint8Array {
  const e = encoding.createEncoder();
  for (const n of [0, 1, 12345, 1, 0, 0]) encoding.writeVarUint(e, n); // no items; ds: client, range
  return encoding.toUint8Array(e);
}

describe('sync server facing a misbehaving client', () => {
  const server = useTestServer({}, { autoStart: false });

  async function setup(overrides: Parameters<typeof server.start>[0] = {}) {
    await server.start(overrides);
    const [alice, bob, mallory] = await server.createUsers('Alice', 'Bob', 'Mallory');
    const d = await server.createDiscussion(alice, [bob, mallory], 'Équipe');
    const a = server.client(d.id, alice.token);
    const b = server.client(d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    const syncUrl = `${server.url.replace(/^http/, 'ws')}/sync/${d.id}`;
    const raw = async (user: TestUser) => {
      const ws = await rawSocket(syncUrl, { authorization: `Bearer ${user.token}` });
      server.defer(() => ws.terminate());
      return ws;
    };
    return { alice, bob, mallory, d, a, b, raw };
  }

  it('closes a connection sending garbage with 4400 each time while the others keep talking both ways', async () => {
    const { alice, bob, mallory, d, a, b, raw } = await setup();
    const valid = updateFrame(messageUpdate(mallory, 'ce message ne doit jamais arriver'));
    const garbage: [string, Uint8Array | string][] = [
      ['random bytes', seededBytes(256, 0x5eed)],
      ['a truncated sync update', valid.subarray(0, valid.byteLength - 7)],
      ['an unknown message type', new Uint8Array([7, 0, 1, 2, 3])],
      [
        'a well-framed update whose bytes are garbage',
        updateFrame(new TextEncoder().encode('not a yjs update')),
      ],
      ['an awareness update with broken JSON', new Uint8Array([1, 6, 1, 42, 1, 2, 123, 123])],
      // Found by fuzzing: Yjs throws half-way through applying it, and the whole document used
      // to be dropped (4500 to everyone in the discussion).
      ['an update deleting an empty range', updateFrame(emptyDeletion())],
      ['a text frame', 'hello?'],
    ];

    const drops: string[] = [];
    a.provider.on('connection-close', () => drops.push('alice'));
    b.provider.on('connection-close', () => drops.push('bob'));

    let round = 0;
    for (const [what, frame] of garbage) {
      const ws = await raw(mallory);
      const closed = closeCode(ws);
      ws.send(frame);
      // The others write at the same moment and must keep hearing each other.
      say(a.doc, alice, `Alice ${round}`);
      say(b.doc, bob, `Bob ${round}`);
      round++;
      expect({ what, code: await closed }).toEqual({ what, code: CloseCode.MalformedFrame });
      await until(
        () => texts(a.doc).length === 2 * round && texts(b.doc).length === 2 * round,
        5000,
        `both ways after ${what}`,
      );
    }
    // Not even a reconnect: the others' connections were never dropped.
    expect(drops).toEqual([]);

    // Someone opening the discussion afterwards finds the history intact, and nothing of Mallory's.
    const fresh = await server.synced(d.id, mallory.token);
    expect(texts(fresh.doc)).toEqual(texts(a.doc));
    expect(texts(fresh.doc)).toHaveLength(2 * garbage.length);
    expect([...messagesMap(fresh.doc).values()].every((m) => m.author !== mallory.user.id)).toBe(true);
  });

  it('closes a connection sending a frame over maxFrameBytes with 4413 and stores nothing of it', async () => {
    const { alice, bob, mallory, d, a, b, raw } = await setup({ maxFrameBytes: 64 * 1024 });
    const ws = await raw(mallory);
    const closed = closeCode(ws);
    // Built by hand: the web app would never produce a message this long.
    const big = new Y.Doc();
    const updates: Uint8Array[] = [];
    big.on('update', (u: Uint8Array) => updates.push(u));
    messagesMap(big).set('oversized1', {
      id: 'oversized1',
      author: mallory.user.id,
      text: 'x'.repeat(70_000),
      ts: 1,
    });
    const frame = updateFrame(updates[0]);
    expect(frame.byteLength).toBeGreaterThan(64 * 1024);
    ws.send(frame);
    expect(await closed).toBe(CloseCode.TooLarge);

    say(a.doc, alice, 'toujours là ?');
    await until(() => texts(b.doc).includes('toujours là ?'), 5000, 'relay after the oversized frame');
    say(b.doc, bob, 'oui');
    await until(() => texts(a.doc).includes('oui'), 5000, 'reply after the oversized frame');

    const stored = await server.storage.docs.load(d.id);
    const rebuilt = new Y.Doc();
    for (const u of stored.updates) Y.applyUpdate(rebuilt, u);
    expect(messagesMap(rebuilt).has('oversized1')).toBe(false);
    expect(stored.updates.every((u) => u.byteLength < 64 * 1024)).toBe(true);
    const fresh = await server.synced(d.id, mallory.token);
    expect(texts(fresh.doc)).toEqual(['toujours là ?', 'oui']);
  });
});
