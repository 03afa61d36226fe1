/**
 * Three Palabre nodes as separate processes (the built server, `node scripts/start.mjs`, port 0),
 * sharing a fresh PostgreSQL database and Redis: the guarantees of one node, with clients spread
 * over the nodes, a node killed with SIGKILL, and Redis restarted. A TCP proxy plays the load
 * balancer where a client must reach another node after its own died.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, listMessages, type DiscussionSummary } from '@palabre/shared';
import { POSTGRES_TESTS, REDIS_TESTS, testRedisUrl } from '../../sync-server/src/storage/test-databases.js';
import { privateRedis } from './cluster-fixture.js';
import { startFlakyProxy } from './flaky-proxy.js';
import { api, connect, login, say, until, waitForSync, type TestUser } from './helpers.js';
import { startNodeProcesses } from './service-process.js';

const ADMIN_PASSWORD = 'admin-password-123';

if (POSTGRES_TESTS && REDIS_TESTS)
  // Three processes and a thousand messages on a small shared machine: more time than one node's tests.
  describe('three nodes as processes on PostgreSQL and Redis', { timeout: 150_000 }, () => {
    const cleanups: (() => Promise<unknown> | unknown)[] = [];
    const later = (fn: () => Promise<unknown> | unknown) => void cleanups.push(fn);
    afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });

    async function startNodes(count: number, redisUrl = testRedisUrl()) {
      const nodes = await startNodeProcesses(count, later, redisUrl);
      const admin = await login(nodes[0].url, 'admin', ADMIN_PASSWORD);
      const users: TestUser[] = [];
      for (let i = 0; i < 5; i++) {
        const username = `person${i}`;
        const res = await api(nodes[0].url, '/api/admin/users', admin.token, {
          body: { username, displayName: `Person ${i}`, password: 'password123' },
        });
        expect(res.status).toBe(201);
        users.push(await login(nodes[i % count].url, username, 'password123'));
      }
      const created = await api<DiscussionSummary>(nodes[0].url, '/api/discussions', users[0].token, {
        body: { memberIds: users.slice(1).map((u) => u.user.id), title: 'Tous' },
      });
      expect(created.status).toBe(201);
      return { nodes, users, group: created.body };
    }

    function client(url: string, groupId: string, token: string) {
      const c = connect(url, groupId, token);
      later(() => c.provider.destroy());
      return c;
    }

    const ids = (doc: Parameters<typeof listMessages>[0]) => listMessages(doc).map((m) => m.id);

    it('5 clients × 200 messages spread over three nodes: all 1,000 everywhere, once, in the same order', async () => {
      const { nodes, users, group } = await startNodes(3);
      const clients = users.map((u, i) => client(nodes[i % 3].url, group.id, u.token));
      await Promise.all(clients.map((c) => waitForSync(c.provider)));
      for (let round = 0; round < 200; round++) {
        clients.forEach((c, i) => say(c.doc, users[i], `message ${round} de ${i}`));
        if (round % 20 === 19) await new Promise((r) => setTimeout(r, 50));
      }
      for (const c of clients)
        await until(() => listMessages(c.doc).length >= 1000, 120_000, '1,000 messages');
      const order = ids(clients[0].doc);
      expect(order).toHaveLength(1000);
      expect(new Set(order).size).toBe(1000);
      for (const c of clients) expect(ids(c.doc)).toEqual(order);
      // What storage holds is the same: a newcomer on each node reads exactly those 1,000.
      for (const node of nodes) {
        const fresh = client(node.url, group.id, users[0].token);
        await waitForSync(fresh.provider);
        expect(ids(fresh.doc)).toEqual(order);
      }
    });

    it('a member removed through node A loses their socket on node C at once', async () => {
      const { nodes, users, group } = await startNodes(3);
      const onC = client(nodes[2].url, group.id, users[2].token);
      await waitForSync(onC.provider);
      const closed = new Promise<number>((resolve) =>
        onC.provider.on('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
      );
      const res = await api(
        nodes[0].url,
        `/api/discussions/${group.id}/members/${users[2].user.id}`,
        users[0].token,
        {
          method: 'DELETE',
        },
      );
      expect(res.status).toBe(200);
      expect(await closed).toBe(CloseCode.Forbidden);
    });

    it('kill -9 of a node mid-run: its clients reconnect through another node, nothing acknowledged is lost', async () => {
      const { nodes, users, group } = await startNodes(3);
      const [a, b, c] = nodes;
      // The load balancer in front of node C for its two clients.
      const balancer = await startFlakyProxy(c.port, 0);
      later(() => balancer.close());
      const writers = [1, 2].map((i) =>
        client(`http://127.0.0.1:${balancer.port}`, group.id, users[i].token),
      );
      const observer = client(a.url, group.id, users[0].token);
      await Promise.all([...writers, observer].map((x) => waitForSync(x.provider)));
      let killedAt = -1;
      let seenBeforeKill: string[] = [];
      for (let round = 0; round < 100; round++) {
        writers.forEach((w, i) => say(w.doc, users[i + 1], `écrit ${round} par ${i + 1}`));
        await new Promise((r) => setTimeout(r, 10));
        if (round === 50) {
          // What node A relayed was committed: none of it may be lost.
          seenBeforeKill = ids(observer.doc);
          c.child.kill('SIGKILL');
          await c.exited;
          killedAt = round;
          balancer.setUpstream(b.port);
          balancer.cutAll();
        }
      }
      expect(killedAt).toBe(50);
      expect(seenBeforeKill.length).toBeGreaterThan(0);
      await until(() => listMessages(observer.doc).length === 200, 90_000, 'every message on node A');
      for (const w of writers)
        await until(() => listMessages(w.doc).length === 200, 90_000, 'writers in step');
      const fresh = client(b.url, group.id, users[3].token);
      await waitForSync(fresh.provider);
      const stored = new Set(ids(fresh.doc));
      expect(stored.size).toBe(200);
      for (const id of seenBeforeKill) expect(stored.has(id)).toBe(true);
      expect(ids(fresh.doc)).toEqual(ids(observer.doc));
    });

    it('Redis restarted mid-run: nothing lost, the nodes converge', async () => {
      const redis = await privateRedis();
      later(() => redis.stop());
      const { nodes, users, group } = await startNodes(3, redis.url);
      const clients = users.slice(0, 3).map((u, i) => client(nodes[i].url, group.id, u.token));
      await Promise.all(clients.map((x) => waitForSync(x.provider)));
      for (let round = 0; round < 60; round++) {
        clients.forEach((x, i) => say(x.doc, users[i], `tour ${round} de ${i}`));
        await new Promise((r) => setTimeout(r, 20));
        if (round === 20) await redis.stop();
        if (round === 40) await redis.start();
      }
      for (const x of clients) await until(() => listMessages(x.doc).length === 180, 90_000, 'convergence');
      const order = ids(clients[0].doc);
      for (const x of clients) expect(ids(x.doc)).toEqual(order);
      const fresh = client(nodes[1].url, group.id, users[4].token);
      await waitForSync(fresh.provider);
      expect(ids(fresh.doc)).toEqual(order);
    });
  });
