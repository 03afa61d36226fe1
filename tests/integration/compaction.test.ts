/**
 * Stored history stays short (ARCHITECTURE.md, "Loading and unloading"): compacted after
 * `compactEvery` appends, on unload, and on load when more than 50 rows are found; a document
 * nobody is connected to leaves memory after the unload delay (30 s by default).
 */
import { describe, expect, it } from 'vitest';
import { listMessages } from '@palabre/shared';
import { messageUpdate, say, sleep, texts, until, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('stored history and memory', () => {
  const server = useTestServer({}, { autoStart: false });
  const rows = async (docId: string) => (await server.storage.docs.load(docId)).updates.length;

  it('compacts a long history into a few stored rows, still serving every message and merging an offline client', async () => {
    const compactEvery = 5;
    await server.start({ compactEvery });
    const { alice, bob, d, a, b } = await server.aliceAndBob();
    for (let i = 0; i < 60; i++) {
      say(i % 2 === 0 ? a.doc : b.doc, i % 2 === 0 ? alice : bob, `message ${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => texts(a.doc).length === 60 && texts(b.doc).length === 60, 10_000, 'all 60 messages');

    // Bob goes offline and writes; Alice's messages meanwhile get compacted on the server.
    b.provider.disconnect();
    for (let i = 0; i < 3; i++) say(b.doc, bob, `hors ligne ${i}`);
    for (let i = 0; i < 20; i++) {
      say(a.doc, alice, `pendant ce temps ${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await rows(d.id)).toBeLessThanOrEqual(compactEvery);
    b.provider.connect();
    await until(() => texts(a.doc).length === 83 && texts(b.doc).length === 83, 10_000, 'Bob to catch up');
    expect(listMessages(b.doc)).toEqual(listMessages(a.doc));

    const fresh = await server.synced(d.id, bob.token);
    expect(listMessages(fresh.doc)).toEqual(listMessages(a.doc));
  });

  it('compacts on load a history of more than 50 rows, and leaves one of 50 as it is', async () => {
    // No compaction while running, so only the load can fold the log.
    await server.start({ compactEvery: 100_000, unloadAfterMs: 60_000 });
    const [alice, bob, carol] = await server.createUsers('Alice', 'Bob', 'Carol');
    const long = await server.createDiscussion(alice, [bob]);
    const short = await server.createDiscussion(alice, [carol]);
    // A log as a crash before any compaction leaves it: one row per message (plus the creation).
    const write = async (docId: string, count: number, who: TestUser) => {
      for (let i = 0; i < count; i++) await server.storage.docs.append(docId, messageUpdate(who, `n° ${i}`));
    };
    await write(long.id, 50, alice);
    await write(short.id, 49, carol);
    expect([await rows(long.id), await rows(short.id)]).toEqual([51, 50]);

    const l = await server.synced(long.id, bob.token);
    const s = await server.synced(short.id, carol.token);
    expect(texts(l.doc)).toHaveLength(50);
    expect(texts(s.doc)).toHaveLength(49);
    expect([await rows(long.id), await rows(short.id)]).toEqual([1, 50]);
    // The snapshot holds everything: a newcomer gets the same history from it.
    const again = await server.synced(long.id, alice.token);
    expect(listMessages(again.doc)).toEqual(listMessages(l.doc));
  });

  it('compacts on unload: what nobody is connected to leaves memory as one stored row', async () => {
    await server.start({ compactEvery: 100_000, unloadAfterMs: 100 });
    const { alice, bob, d, a, b } = await server.aliceAndBob();
    for (let i = 0; i < 10; i++) say(a.doc, alice, `avant de partir ${i}`);
    await until(() => texts(b.doc).length === 10, 5000, 'relay');
    expect(await rows(d.id)).toBeGreaterThan(1);
    expect(server.docs.isLoaded(d.id)).toBe(true);

    a.provider.destroy();
    await sleep(300);
    // One member is still there: the discussion stays in memory, its log as it was.
    expect(server.docs.isLoaded(d.id)).toBe(true);
    b.provider.destroy();
    await until(() => !server.docs.isLoaded(d.id), 5000, 'the discussion to be unloaded');
    expect(await rows(d.id)).toBe(1);

    const back = await server.synced(d.id, bob.token);
    expect(texts(back.doc)).toEqual(texts(a.doc));
    expect(server.docs.isLoaded(d.id)).toBe(true);
  });

  it('keeps an idle discussion in memory for a while by default, then unloads it', async () => {
    await server.start({ unloadAfterMs: undefined });
    const [alice, bob] = await server.createUsers('Alice', 'Bob');
    const d = await server.createDiscussion(alice, [bob]);
    const a = await server.synced(d.id, alice.token);
    say(a.doc, alice, 'je reviens');
    await expect.poll(() => server.storage.docs.version(d.id)).toBeGreaterThan(1);
    a.provider.destroy();
    // The default delay is 30 s: a member who comes back within seconds finds it still loaded.
    await sleep(20_000);
    expect(server.docs.isLoaded(d.id)).toBe(true);
    await until(() => !server.docs.isLoaded(d.id), 20_000, 'the default unload');
    expect(await rows(d.id)).toBe(1);
  }, 60_000);
});
