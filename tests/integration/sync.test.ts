import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMessage, CloseCode, listMessages } from '@palabre/shared';
import {
  closeCode,
  connect,
  createDiscussion,
  createUser,
  rawSocket,
  refusalStatus,
  removeDataDir,
  startTestServer,
  until,
  waitForSync,
  type TestServer,
} from './helpers.js';

describe('sync server', () => {
  let server: TestServer;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) c();
    await server.close();
    removeDataDir(server.dataDir);
  });

  function client(discussionId: string, token: string | null) {
    const c = connect(server.url, discussionId, token);
    cleanups.push(() => c.provider.destroy());
    return c;
  }

  it('relays a message from one member to the other in real time', async () => {
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const d = await createDiscussion(server.url, alice, [bob]);
    const a = client(d.id, alice.token);
    const b = client(d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    addMessage(a.doc, { author: alice.user.id, text: 'Bonjour Bob', now: Date.now() });
    await until(() => listMessages(b.doc).length === 1, 5000, 'relay');
    expect(listMessages(b.doc)[0]).toMatchObject({ author: alice.user.id, text: 'Bonjour Bob' });
  });

  it('refuses a non-member with 403 and an anonymous client with 401 before any document byte', async () => {
    const alice = await createUser(server);
    const bob = await createUser(server);
    const eve = await createUser(server);
    const d = await createDiscussion(server.url, alice, [bob]);
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
