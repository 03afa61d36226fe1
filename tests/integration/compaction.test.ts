import { afterEach, describe, expect, it } from 'vitest';
import { listMessages } from '@palabre/shared';
import {
  connect,
  createDiscussion,
  createUser,
  removeDataDir,
  say,
  startTestServer,
  texts,
  until,
  waitForSync,
  type TestServer,
} from './helpers.js';

describe('stored history and memory', () => {
  let server: TestServer;
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await server.close();
    removeDataDir(server.dataDir);
  });

  function client(discussionId: string, token: string) {
    const c = connect(server.url, discussionId, token);
    cleanups.push(() => c.provider.destroy());
    return c;
  }

  it('compacts a long history into a few stored rows, still serving every message and merging an offline client', async () => {
    const compactEvery = 5;
    server = await startTestServer({ compactEvery });
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const d = await createDiscussion(server.url, alice, [bob]);
    const a = client(d.id, alice.token);
    const b = client(d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
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
    const { updates } = await server.storage.docs.load(d.id);
    expect(updates.length).toBeLessThanOrEqual(compactEvery);
    b.provider.connect();
    await until(() => texts(a.doc).length === 83 && texts(b.doc).length === 83, 10_000, 'Bob to catch up');
    expect(listMessages(b.doc)).toEqual(listMessages(a.doc));

    const fresh = client(d.id, bob.token);
    await waitForSync(fresh.provider);
    expect(listMessages(fresh.doc)).toEqual(listMessages(a.doc));
  });

  it('unloads a discussion nobody is connected to, and loads it whole again for the next visitor', async () => {
    server = await startTestServer({ unloadAfterMs: 100 });
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const d = await createDiscussion(server.url, alice, [bob]);
    const a = connect(server.url, d.id, alice.token);
    const b = connect(server.url, d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    say(a.doc, alice, 'avant de partir');
    await until(() => texts(b.doc).length === 1, 5000, 'relay');
    expect(server.docs.isLoaded(d.id)).toBe(true);

    a.provider.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One member is still there: the discussion stays in memory.
    expect(server.docs.isLoaded(d.id)).toBe(true);
    b.provider.destroy();
    await until(() => !server.docs.isLoaded(d.id), 5000, 'the discussion to be unloaded');

    const back = client(d.id, bob.token);
    await waitForSync(back.provider);
    expect(texts(back.doc)).toEqual(['avant de partir']);
    expect(server.docs.isLoaded(d.id)).toBe(true);
  });
});
