import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '@palabre/shared';
import {
  connect,
  createDiscussion,
  createUser,
  openEvents,
  refusalStatus,
  removeDataDir,
  say,
  startTestServer,
  waitForSync,
  type TestServer,
} from './helpers.js';

type DiscussionEvent = Extract<ServerEvent, { type: 'discussion' }>;

describe('/api/events', () => {
  let server: TestServer;
  const cleanups: (() => unknown)[] = [];
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await server.close();
    removeDataDir(server.dataDir);
  });

  it('tells me when a colleague starts a discussion with me, and when a message arrives in it', async () => {
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const carol = await createUser(server, 'Carol');
    const events = await openEvents(server.url, bob.token);
    cleanups.push(events.close);
    const outsider = await openEvents(server.url, carol.token);
    cleanups.push(outsider.close);
    await events.next((e) => e.type === 'hello', 'hello');

    const d = await createDiscussion(server.url, alice, [bob]);
    const started = await events.next<DiscussionEvent>(
      (e) => e.type === 'discussion' && e.discussion.id === d.id,
      'the new discussion',
    );
    expect(started.discussion.members.map((m) => m.userId).sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
    expect(started.discussion.lastMessage).toBeNull();

    const a = connect(server.url, d.id, alice.token);
    cleanups.push(() => a.provider.destroy());
    await waitForSync(a.provider);
    say(a.doc, alice, 'Tu as un moment ?');
    const message = await events.next<DiscussionEvent>(
      (e) => e.type === 'discussion' && e.discussion.lastMessage?.preview === 'Tu as un moment ?',
      'the message event',
    );
    expect(message.discussion.id).toBe(d.id);
    expect(message.discussion.lastMessage?.author).toBe(alice.user.id);

    // Carol is not in the discussion: she heard nothing about it.
    expect(outsider.events.filter((e) => e.type === 'discussion')).toEqual([]);
  });

  it('refuses an anonymous events socket with 401', async () => {
    expect(await refusalStatus(`${server.url.replace(/^http/, 'ws')}/api/events`)).toBe(401);
  });
});
