import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '@palabre/shared';
import { openEvents, refusalStatus, say } from './helpers.js';
import { useTestServer } from './server-fixture.js';

type DiscussionEvent = Extract<ServerEvent, { type: 'discussion' }>;

describe('/api/events', () => {
  const server = useTestServer();

  it('tells me when a colleague starts a discussion with me, and when a message arrives in it', async () => {
    const [alice, bob, carol] = await server.createUsers('Alice', 'Bob', 'Carol');
    const events = await openEvents(server.url, bob.token);
    server.defer(events.close);
    const outsider = await openEvents(server.url, carol.token);
    server.defer(outsider.close);
    await events.next((e) => e.type === 'hello', 'hello');

    const d = await server.createDiscussion(alice, [bob]);
    const started = await events.next<DiscussionEvent>(
      (e) => e.type === 'discussion' && e.discussion.id === d.id,
      'the new discussion',
    );
    expect(started.discussion.members.map((m) => m.userId).sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
    expect(started.discussion.lastMessage).toBeNull();

    const a = await server.synced(d.id, alice.token);
    say(a.doc, alice, 'Tu as un moment ?');
    const message = await events.next<DiscussionEvent>(
      (e) => e.type === 'discussion' && e.discussion.lastMessage?.preview === 'Tu as un moment ?',
      'the message event',
    );
    expect(message.discussion.id).toBe(d.id);
    expect(message.discussion.lastMessage?.author).toBe(alice.user.id);

    // Carol is not in the discussion: she heard nothing about it. Events reach a socket in the
    // order they were sent, so once she hears of a discussion started after that message, any
    // leak about the first one would already be there.
    const later = await server.createDiscussion(alice, [carol]);
    await outsider.next(
      (e) => e.type === 'discussion' && e.discussion.id === later.id,
      'the later discussion',
    );
    expect(outsider.events.filter((e) => e.type === 'discussion' && e.discussion.id === d.id)).toEqual([]);
  });

  it('refuses an anonymous events socket with 401', async () => {
    expect(await refusalStatus(`${server.url.replace(/^http/, 'ws')}/api/events`)).toBe(401);
  });
});
