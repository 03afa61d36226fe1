/**
 * Several nodes in one process on a real PostgreSQL and a real Redis (cluster-fixture.ts): what a
 * user sees is the same whichever node they reach. The same guarantees with nodes as separate
 * processes (kill -9, 1,000 messages) are in cluster-processes.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  CloseCode,
  addMessage,
  listMessages,
  messagesMap,
  type DiscussionSummary,
  type FileRef,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { POSTGRES_TESTS, REDIS_TESTS } from '../../sync-server/src/storage/test-databases.js';
import { freePort } from '../free-port.js';
import { privateRedis, useCluster } from './cluster-fixture.js';
import {
  api,
  connect,
  createDiscussion,
  createUser,
  messageUpdate,
  openEvents,
  say,
  sleep,
  texts,
  until,
  waitForSync,
} from './helpers.js';

/** A file uploaded through this node's API, as the web app does (multipart). */
async function upload(url: string, discussionId: string, token: string, text: string, name: string) {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const res = await fetch(`${url}/api/discussions/${discussionId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as FileRef;
}

/** The close code, or 'accepted' if the server kept the connection open for 5 s. */
const refusedWithin = (closed: Promise<number>) =>
  Promise.race([closed, sleep(5000).then(() => 'accepted' as const)]);

const closedWith = (provider: ReturnType<typeof connect>['provider']) =>
  new Promise<number>((resolve) =>
    provider.on('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
  );

if (POSTGRES_TESTS && REDIS_TESTS)
  describe('several nodes on PostgreSQL and Redis', () => {
    const cluster = useCluster();

    async function threeNodes() {
      const { nodes, prefix, redisUrl } = await cluster.start(3);
      const [a, b, c] = nodes;
      const owner = await createUser(a, 'Owner');
      const carol = await createUser(b, 'Carol');
      const dan = await createUser(c, 'Dan');
      const group = await createDiscussion(a.url, owner, [carol, dan], 'Équipe');
      const client = (node: (typeof nodes)[number], token: string) => {
        const x = connect(node.url, group.id, token);
        cluster.defer(() => x.provider.destroy());
        return x;
      };
      return { a, b, c, owner, carol, group, client, prefix, redisUrl };
    }

    it('a message written through one node reaches the clients of every other node, stored once', async () => {
      const { a, b, c, owner, carol, group, client } = await threeNodes();
      const onA = client(a, owner.token);
      const onB = client(b, carol.token);
      const onC = client(c, carol.token);
      await Promise.all([onA, onB, onC].map((x) => waitForSync(x.provider)));
      say(onA.doc, owner, 'Bonjour depuis A');
      say(onC.doc, carol, 'Réponse depuis C');
      for (const x of [onA, onB, onC])
        await until(() => texts(x.doc).length === 2, 10_000, 'both messages everywhere');
      expect(texts(onB.doc)).toEqual(texts(onA.doc));
      expect(texts(onC.doc)).toEqual(texts(onA.doc));
      // In storage once: a fresh node reads both messages, and the log holds one row per write
      // (plus the creation), nothing stored again by the nodes that relayed.
      const { updates } = await b.storage.docs.load(group.id);
      expect(updates.length).toBe(3);
      const fresh = client(c, owner.token);
      await waitForSync(fresh.provider);
      expect(texts(fresh.doc).sort()).toEqual(['Bonjour depuis A', 'Réponse depuis C']);
    });

    it('a node follows only the discussions it holds', async () => {
      const { a, b, owner, carol, group, client, prefix, redisUrl } = await threeNodes();
      const redis = new Redis(redisUrl);
      cluster.defer(() => redis.disconnect());
      const followers = async () =>
        ((await redis.pubsub('NUMSUB', `${prefix}doc:${group.id}`)) as [string, number])[1];
      const onA = client(a, owner.token);
      await waitForSync(onA.provider);
      await until(() => a.docs.isLoaded(group.id));
      expect(await followers()).toBe(1);
      const onB = client(b, carol.token);
      await waitForSync(onB.provider);
      await until(() => b.docs.isLoaded(group.id));
      await expect.poll(followers).toBe(2);
      onB.provider.destroy();
      await until(() => !b.docs.isLoaded(group.id), 10_000, 'node B to unload the discussion');
      await expect.poll(followers).toBe(1);
    });

    it("a node follows only the users whose events sockets it holds: another discussion's sidebar events never reach it", async () => {
      const { a, b, c, owner, carol, client, prefix, redisUrl } = await threeNodes();
      const redis = new Redis(redisUrl);
      cluster.defer(() => redis.disconnect());
      const followers = async (userId: string) =>
        ((await redis.pubsub('NUMSUB', `${prefix}user:${userId}`)) as [string, number])[1];
      // Node C holds a sync socket of Carol, no events socket: it follows no one.
      const onC = client(c, carol.token);
      await waitForSync(onC.provider);
      const events = await openEvents(b.url, carol.token);
      await events.next((e) => e.type === 'hello', 'hello on node B');
      expect(await followers(carol.user.id)).toBe(1);
      expect(await followers(owner.user.id)).toBe(0);
      const onA = client(a, owner.token);
      await waitForSync(onA.provider);
      say(onA.doc, owner, 'Pour la barre latérale');
      await events.next(
        (e) => e.type === 'discussion' && e.discussion.lastMessage?.preview === 'Pour la barre latérale',
        'sidebar event on node B',
      );
      events.close();
      await expect.poll(() => followers(carol.user.id)).toBe(0);
    });

    it('a member removed through node A loses their socket on node C at once, and is told there', async () => {
      const { a, c, owner, carol, group, client } = await threeNodes();
      const events = await openEvents(c.url, carol.token);
      cluster.defer(() => events.close());
      const onC = client(c, carol.token);
      await waitForSync(onC.provider);
      const closed = closedWith(onC.provider);
      const res = await api(a.url, `/api/discussions/${group.id}/members/${carol.user.id}`, owner.token, {
        method: 'DELETE',
      });
      expect(res.status).toBe(200);
      expect(await closed).toBe(CloseCode.Forbidden);
      await events.next((e) => e.type === 'discussion_removed', 'removal event on node C');
      const list = await api<{ discussions: DiscussionSummary[] }>(c.url, '/api/discussions', carol.token);
      expect(list.body.discussions.map((d) => d.id)).not.toContain(group.id);
    });

    it('a role change through node B closes the socket on node C with 4409', async () => {
      const { b, c, owner, carol, group, client } = await threeNodes();
      const onC = client(c, carol.token);
      await waitForSync(onC.provider);
      const closed = closedWith(onC.provider);
      const res = await api(b.url, `/api/discussions/${group.id}/members/${carol.user.id}`, owner.token, {
        method: 'PATCH',
        body: { role: 'reader' },
      });
      expect(res.status).toBe(200);
      expect(await closed).toBe(CloseCode.RoleChanged);
    });

    it('a session ended on node A and an account disabled on node B close sockets on node C (4401)', async () => {
      const { a, b, c, owner, carol, group, client } = await threeNodes();
      const admin = await createUser(a, 'Admin');
      await a.storage.directory.updateUser(admin.user.id, { role: 'admin' });
      // Carol's session: ended from another of her sessions, through node A.
      const other = await (await import('./helpers.js')).login(a.url, carol.user.username, 'password123');
      const onC = client(c, carol.token);
      await waitForSync(onC.provider);
      const closed = closedWith(onC.provider);
      expect((await api(a.url, '/api/me/sessions', other.token, { method: 'DELETE' })).status).toBe(200);
      expect(await closed).toBe(CloseCode.Unauthorized);
      // The owner's account, disabled by an admin through node B.
      const events = await openEvents(c.url, owner.token);
      const ownerOnC = client(c, owner.token);
      await waitForSync(ownerOnC.provider);
      const ownerClosed = closedWith(ownerOnC.provider);
      const eventsClosed = new Promise<number>((resolve) =>
        events.socket.once('close', (code: number) => resolve(code)),
      );
      expect(
        (await api(b.url, `/api/admin/users/${owner.user.id}/disable`, admin.token, { method: 'POST' }))
          .status,
      ).toBe(200);
      expect(await ownerClosed).toBe(CloseCode.Unauthorized);
      expect(await eventsClosed).toBe(CloseCode.Unauthorized);
      void group;
    });

    it('sidebar events of a discussion changed on node A reach its members on node B', async () => {
      const { a, b, owner, carol, group, client } = await threeNodes();
      const events = await openEvents(b.url, carol.token);
      cluster.defer(() => events.close());
      const onA = client(a, owner.token);
      await waitForSync(onA.provider);
      say(onA.doc, owner, 'Nouvelle du jour');
      const event = await events.next(
        (e) => e.type === 'discussion' && e.discussion.lastMessage?.preview === 'Nouvelle du jour',
        'sidebar event on node B',
      );
      expect(event.type === 'discussion' && event.discussion.id).toBe(group.id);
    });

    it('a file uploaded through node A may be attached by a client on node B, which already held the discussion; a file never uploaded to it is still refused', async () => {
      const { a, b, c, owner, carol, group, client } = await threeNodes();
      const onA = client(a, carol.token);
      await waitForSync(onA.provider);
      // Node B holds the discussion and has read its files (none yet) for a first message.
      const writer = await connectAttacker(b.url, group.id, owner.token);
      cluster.defer(() => writer.socket.close());
      writer.change((doc) => addMessage(doc, { author: owner.user.id, text: 'avant', now: Date.now() }));
      await until(() => texts(onA.doc).includes('avant'), 10_000, 'the first message on node A');
      expect(b.docs.isLoaded(group.id)).toBe(true);

      // The upload goes to node A (no sticky sessions), the message that attaches it to node B.
      const file = await upload(a.url, group.id, owner.token, 'le compte rendu', 'compte-rendu.txt');
      writer.change((doc) =>
        addMessage(doc, { author: owner.user.id, text: 'ci-joint', files: [file], now: Date.now() }),
      );
      await until(() => texts(onA.doc).includes('ci-joint'), 10_000, 'the attachment on node A');
      expect(listMessages(onA.doc).find((m) => m.text === 'ci-joint')?.files).toEqual([file]);
      expect(writer.denied()).toBeNull();
      // Stored: a client arriving later through node C gets it from storage.
      const fresh = client(c, carol.token);
      await waitForSync(fresh.provider);
      expect(listMessages(fresh.doc).find((m) => m.text === 'ci-joint')?.files).toEqual([file]);

      // A file never uploaded to this discussion (another one's, through node A) is still refused on B.
      const other = await createDiscussion(a.url, owner, [carol], 'Ailleurs');
      const elsewhere = await upload(a.url, other.id, owner.token, 'ailleurs', 'ailleurs.txt');
      const forger = await connectAttacker(b.url, group.id, owner.token);
      forger.change((doc) =>
        addMessage(doc, { author: owner.user.id, text: 'volé', files: [elsewhere], now: Date.now() }),
      );
      expect(await refusedWithin(forger.closed)).toBe(CloseCode.UpdateRejected);
      expect(forger.denied()).toMatch(/^foreign_file/);
      expect(texts(onA.doc)).not.toContain('volé');
    });

    it('a file removed on node A is refused on node B, which still held it', async () => {
      const { a, b, owner, carol, group, client } = await threeNodes();
      const file = await upload(a.url, group.id, owner.token, 'éphémère', 'ephemere.txt');
      // Node B holds the discussion and knows the file: a message on B refers to it.
      const onB = client(b, carol.token);
      await waitForSync(onB.provider);
      const writer = await connectAttacker(b.url, group.id, owner.token);
      cluster.defer(() => writer.socket.close());
      let sent = '';
      writer.change((doc) => {
        sent = addMessage(doc, {
          author: owner.user.id,
          text: 'pièce jointe',
          files: [file],
          now: Date.now(),
        }).id;
      });
      await until(() => texts(onB.doc).includes('pièce jointe'), 10_000, 'the attachment on node B');
      // The message is deleted through node A: A removes the file; B must not take it again.
      const onA = client(a, owner.token);
      await waitForSync(onA.provider);
      await until(() => texts(onA.doc).includes('pièce jointe'), 10_000, 'the attachment on node A');
      onA.doc.transact(() => messagesMap(onA.doc).delete(sent));
      // Its row, then (the other nodes told in between) its bytes in the shared store.
      const hash = createHash('sha256').update('éphémère').digest('hex');
      await until(
        async () => (await a.storage.files.ofDiscussion(group.id)).length === 0 && !(await a.blobs.has(hash)),
        10_000,
        'the file removed',
      );
      await until(() => texts(onB.doc).length === 0, 10_000, 'the deletion on node B');
      const late = await connectAttacker(b.url, group.id, owner.token);
      late.change((doc) =>
        addMessage(doc, { author: owner.user.id, text: 'revenu', files: [file], now: Date.now() }),
      );
      expect(await refusedWithin(late.closed)).toBe(CloseCode.UpdateRejected);
      expect(late.denied()).toMatch(/^foreign_file/);
    });

    it('a node that lost Redis catches up from storage when it returns: nothing missed, nodes converge', async () => {
      const redis = await privateRedis();
      cluster.defer(() => redis.stop());
      const { nodes } = await cluster.start(2, { redisUrl: redis.url });
      const [a, b] = nodes;
      const owner = await createUser(a, 'Owner');
      const carol = await createUser(a, 'Carol');
      const group = await createDiscussion(a.url, owner, [carol], 'Panne');
      const onA = connect(a.url, group.id, owner.token);
      const onB = connect(b.url, group.id, carol.token);
      cluster.defer(() => onA.provider.destroy());
      cluster.defer(() => onB.provider.destroy());
      await Promise.all([waitForSync(onA.provider), waitForSync(onB.provider)]);
      say(onA.doc, owner, 'avant la panne');
      await until(() => texts(onB.doc).length === 1, 10_000, 'first message on node B');

      await redis.stop();
      for (let i = 0; i < 5; i++) say(onA.doc, owner, `pendant la panne ${i}`);
      say(onB.doc, carol, 'de B pendant la panne');
      // Each node stores what its own clients write. No publish reaches the other meanwhile; its
      // check against the stored version (every CHECK_BEHIND_MS) may already bring them over, so
      // what either holds during the outage is not asserted, only what both hold after it.

      await redis.start();
      for (const x of [onA, onB])
        await until(() => texts(x.doc).length === 7, 15_000, 'convergence after Redis returns');
      expect(texts(onB.doc)).toEqual(texts(onA.doc));
    });

    it('an update a node committed and never published (it died in between) still reaches the clients of the other nodes', async () => {
      const { a, b, owner, carol, group, client } = await threeNodes();
      const onA = client(a, owner.token);
      const onB = client(b, carol.token);
      await Promise.all([onA, onB].map((x) => waitForSync(x.provider)));
      // What a third node stored for one of its clients just before it died: in storage, never
      // published. Then a later update, published: node A applies it, so by sequence number it
      // is not behind, and nothing it holds depends on the lost one.
      await b.storage.docs.append(group.id, messageUpdate(carol, 'jamais publié'));
      say(onB.doc, carol, 'publié ensuite');
      await until(() => texts(onA.doc).includes('publié ensuite'), 10_000, 'the published update on node A');
      await until(() => texts(onA.doc).includes('jamais publié'), 15_000, 'the unpublished one on node A');
      await until(() => texts(onB.doc).includes('jamais publié'), 15_000, 'the unpublished one on node B');
    });

    it('failed logins through node A throttle the account on node B, even with the right password; a success on B clears it on A; the password never leaves its node', async () => {
      const nodes = await cluster.start(0);
      const { prefix, redisUrl } = nodes;
      const limits = { loginFreeAttemptsPerAccount: 3, loginBaseDelayMs: 1000 };
      const a = await nodes.add({ limits });
      const b = await nodes.add({ limits });
      const victim = await createUser(a, 'Victime');
      const username = victim.user.username;
      // Everything the nodes tell each other, as Redis carries it.
      const spy = new Redis(redisUrl);
      cluster.defer(() => spy.disconnect());
      const carried: string[] = [];
      spy.on('message', (_channel: string, message: string) => carried.push(message));
      await spy.subscribe(`${prefix}control`);
      // What each node has received from the other (its own throttle handled it just before).
      const received = (node: typeof a, kind: 'login-failed' | 'login-succeeded') => {
        let count = 0;
        const stop = node.broker.onControl((m) => {
          if (m.kind === kind && m.account === username) count++;
        });
        cluster.defer(stop);
        return () => count;
      };
      const failedOnB = received(b, 'login-failed');
      const succeededOnA = received(a, 'login-succeeded');
      const attempt = async (node: typeof a, password: string) => {
        const res = await fetch(`${node.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        const body = (await res.json()) as { token?: string; error?: { code: string } };
        return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
      };

      for (let i = 0; i < 3; i++) expect((await attempt(a, 'guess-Zq81x')).status).toBe(401);
      await until(() => failedOnB() === 3, 5000, 'the three failures on node B');
      const locked = await attempt(b, 'password123');
      expect(locked.status).toBe(429);
      expect(locked.code).toBe('too_many_attempts');
      expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(1);

      // As on one node: the right password works after the delay, and clears the account, on
      // every node: two more failures through A are free again (without clearing, A's fourth
      // failure would lock the account for 2 s and the next attempt be refused).
      await sleep(Number(locked.retryAfter) * 1000 + 100);
      expect((await attempt(b, 'password123')).status).toBe(200);
      await until(() => succeededOnA() >= 1, 5000, 'the success on node A');
      expect((await attempt(a, 'guess-Zq81x')).status).toBe(401);
      expect((await attempt(a, 'guess-Zq81x')).status).toBe(401);
      expect((await attempt(a, 'password123')).status).toBe(200);

      // The account name and the address went through Redis; no password did.
      await until(() => carried.some((m) => m.includes('login-succeeded')), 5000, 'the messages in Redis');
      expect(carried.some((m) => m.includes(username) && m.includes('login-failed'))).toBe(true);
      expect(carried.join('\n')).not.toContain('guess-Zq81x');
      expect(carried.join('\n')).not.toContain('password123');
    });

    it('with PostgreSQL unreachable, writes are refused (4500, 503) and memory keeps nothing of them', async () => {
      const { startFlakyProxy } = await import('./flaky-proxy.js');
      const { nodes, db } = await cluster.start(1);
      const url = new URL(db.url);
      const proxy = await startFlakyProxy(Number(url.port || 5432), 0);
      cluster.defer(() => proxy.close());
      url.port = String(proxy.port);
      url.hostname = '127.0.0.1';
      const cut = await (await import('./helpers.js')).startTestServer({ databaseUrl: url.toString() });
      cluster.defer(() => cut.close().catch(() => undefined));
      const owner = await createUser(nodes[0], 'Owner');
      const carol = await createUser(nodes[0], 'Carol');
      const dan = await createUser(nodes[0], 'Dan');
      const group = await createDiscussion(nodes[0].url, owner, [carol, dan], 'Coupure');
      const onCut = connect(cut.url, group.id, owner.token);
      cluster.defer(() => onCut.provider.destroy());
      await waitForSync(onCut.provider);

      proxy.setUpstream(await freePort()); // nothing listens there
      proxy.cutAll();
      const closed = closedWith(onCut.provider);
      say(onCut.doc, owner, 'jamais stocké');
      expect(await closed).toBe(CloseCode.StorageFailed);
      expect(cut.docs.isLoaded(group.id)).toBe(false);
      const refused = await api<{ error: { code: string } }>(
        cut.url,
        `/api/discussions/${group.id}`,
        owner.token,
        {
          method: 'PATCH',
          body: { title: 'Renommée' },
        },
      );
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('storage_unavailable');
      // Nothing of it anywhere: not in storage, not served by the healthy node.
      onCut.provider.destroy();
      const reader = connect(nodes[0].url, group.id, carol.token);
      cluster.defer(() => reader.provider.destroy());
      await waitForSync(reader.provider);
      expect(texts(reader.doc)).toEqual([]);
      expect((await nodes[0].storage.directory.discussionById(group.id))?.title).toBe('Coupure');
    });
  });
