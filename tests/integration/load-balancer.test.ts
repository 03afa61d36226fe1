/**
 * The HAProxy configuration of docs/OPERATIONS.md ("Load balancer (HAProxy, WebSocket, no sticky
 * sessions)"), taken from the doc itself, in front of three Palabre nodes as processes on a fresh
 * PostgreSQL database and Redis. Only what a test must is changed: the bind (a free 127.0.0.1 port,
 * no certificate) and the servers' addresses. Everything then goes through HAProxy's port: logins,
 * requests of one session served by several nodes, sync sockets on different nodes, a message
 * between them, and kill -9 of one client's node (it reconnects through HAProxy to a survivor).
 * Where a request or a socket landed is read on the nodes' side (their request log, their TCP
 * connections), not assumed. PALABRE_NO_HAPROXY=1 (set by scripts/services.mjs when haproxy cannot
 * be had, the reason printed; `npm test` installs Debian's package when root) leaves it out.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DiscussionSummary } from '@palabre/shared';
import { POSTGRES_TESTS, REDIS_TESTS } from '../../sync-server/src/storage/test-databases.js';
import { freePort } from '../free-port.js';
import { api, connect, login, say, texts, until, waitForSync, type TestUser } from './helpers.js';
import { ROOT, socketInodes, startNodeProcesses, tcpSockets, type Service } from './service-process.js';

const HAPROXY_TESTS = process.env.PALABRE_NO_HAPROXY !== '1';
const ADMIN_PASSWORD = 'admin-password-123';

/** The ```haproxy block of docs/OPERATIONS.md, exactly as an operator would copy it. */
function documentedConfig(): string {
  const doc = readFileSync(join(ROOT, 'docs/OPERATIONS.md'), 'utf8');
  const blocks = [...doc.matchAll(/^```haproxy\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/**
 * The documented configuration, bound on 127.0.0.1:`port` without TLS, its servers at `ports`
 * checked every second instead of every 2 s (a node is marked down after 2 s, not 4); its global
 * `maxconn` lowered to 1000, as the doc says to where the file descriptor limit is lower than
 * what HAProxy needs for it (about twice maxconn: a test machine's 20,000 is).
 */
function adapted(config: string, port: number, ports: number[]): string {
  const bind = /^(\s*)bind\s.*$/m;
  const maxconn = /^(\s*)maxconn\s+\d+/m;
  expect(config).toMatch(bind);
  expect(config).toMatch(maxconn);
  let server = 0;
  const out = config
    .replace(bind, `$1bind 127.0.0.1:${port}`)
    .replace(maxconn, '$1maxconn 1000')
    .replace(/^(\s*)server\s+(\S+)\s+\S+(.*)$/gm, (_line, indent: string, name: string, rest: string) => {
      expect(rest).toMatch(/ inter 2s /);
      return `${indent}server ${name} 127.0.0.1:${ports[server++]}${rest.replace(' inter 2s ', ' inter 1s ')}`;
    });
  expect(server).toBe(ports.length);
  return out;
}

/**
 * The TCP connections a node's process holds on its listening port (ESTABLISHED, from
 * /proc/net/tcp and the process's own descriptors): the load balancer's connections to it.
 */
function connectionsTo(node: Service): Set<string> {
  const held = socketInodes(node.pid);
  const established = tcpSockets().filter(
    (s) => s.localPort === node.port && s.state === '01' && held.has(s.inode),
  );
  return new Set(established.map((s) => s.remote));
}

/** GET on a new connection (closed after): its status and the X-Request-Id the node gave it. */
function getOnce(url: string, token: string): Promise<{ status: number; id: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, id: String(res.headers['x-request-id']) }),
      );
    });
    req.once('error', reject);
  });
}

const snapshot = (nodes: Service[]) => nodes.map(connectionsTo);

/**
 * The node that holds the one long-lived connection opened since `before`: compared twice, 300 ms
 * apart, so that a health check's short connection caught in passing is not taken for it.
 */
async function nodeOfNewSocket(nodes: Service[], before: Set<string>[]): Promise<number> {
  const fresh = () => snapshot(nodes).map((now, i) => new Set([...now].filter((c) => !before[i].has(c))));
  const first = fresh();
  await new Promise((r) => setTimeout(r, 300));
  const second = fresh();
  const lasting = first.map((set, i) => [...set].filter((c) => second[i].has(c)).length);
  expect(
    lasting.reduce((a, b) => a + b, 0),
    `new lasting connections per node: ${lasting}`,
  ).toBe(1);
  return lasting.findIndex((n) => n === 1);
}

if (POSTGRES_TESTS && REDIS_TESTS && HAPROXY_TESTS)
  describe('the documented HAProxy configuration in front of three nodes', { timeout: 60_000 }, () => {
    const cleanups: (() => Promise<unknown> | unknown)[] = [];
    const later = (fn: () => Promise<unknown> | unknown) => void cleanups.push(fn);
    afterAll(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });

    async function startHaproxy(nodes: Service[]): Promise<{ url: string; output: () => string }> {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'palabre-haproxy-'));
      later(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(
        file,
        adapted(
          documentedConfig(),
          port,
          nodes.map((n) => n.port),
        ),
      );
      // PALABRE_HAPROXY: where scripts/services.mjs found it (/usr/sbin is not on every PATH).
      const bin = process.env.PALABRE_HAPROXY || 'haproxy';
      const child = spawn(bin, ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.once('error', (err) => (output += `${bin} could not be started: ${err.message}`));
      child.stdout.on('data', (c: Buffer) => (output += String(c)));
      child.stderr.on('data', (c: Buffer) => (output += String(c)));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      later(async () => {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      });
      const url = `http://127.0.0.1:${port}`;
      await until(
        async () => {
          if (child.exitCode !== null || child.pid === undefined)
            throw new Error(`haproxy exited:\n${output}`);
          return (await fetch(`${url}/api/health`).catch(() => null))?.status === 200;
        },
        15_000,
        'HAProxy to answer /api/health',
      );
      return { url, output: () => output };
    }

    /** Which node served the request whose X-Request-Id is `id` (its own request log says so). */
    const servedBy = (nodes: Service[], id: string) =>
      nodes.findIndex((n) => n.lines.some((l) => l.event === 'request' && l.reqId === id));

    it('logins, one session over several nodes, sockets on different nodes, kill -9 of one: all through HAProxy', async () => {
      const nodes = await startNodeProcesses(3, later);
      const haproxy = await startHaproxy(nodes);
      const lb = haproxy.url;
      // The documented health check passes on a live node: after two checks of each (2 s), HAProxy
      // has marked none down (it says so on its standard error, `Server nodes/node1 is DOWN`).
      await new Promise((r) => setTimeout(r, 2200));
      expect(haproxy.output()).not.toMatch(/is DOWN/);

      // Set-up through HAProxy too: the admin creates two people and their discussion.
      const admin = await login(lb, 'admin', ADMIN_PASSWORD);
      const people: TestUser[] = [];
      for (const username of ['alice', 'bruno']) {
        const res = await api(lb, '/api/admin/users', admin.token, {
          body: { username, displayName: username, password: 'password123' },
        });
        expect(res.status).toBe(201);
        people.push(await login(lb, username, 'password123'));
      }
      const [alice, bruno] = people;
      const created = await api<DiscussionSummary>(lb, '/api/discussions', alice.token, {
        body: { memberIds: [bruno.user.id], title: 'Derrière HAProxy' },
      });
      expect(created.status).toBe(201);
      const group = created.body;

      // Two sync sockets, upgraded through HAProxy: each lands on a node (the one whose process
      // holds the new connection), and with `balance leastconn` not on the same one.
      const sockets = [];
      const nodeOf: number[] = [];
      for (const person of people) {
        const before = snapshot(nodes);
        const c = connect(lb, group.id, person.token);
        later(() => c.provider.destroy());
        await waitForSync(c.provider);
        nodeOf.push(await nodeOfNewSocket(nodes, before));
        sockets.push(c);
      }
      const [a, b] = sockets;
      expect(nodeOf[0]).not.toBe(nodeOf[1]);

      // No sticky sessions needed: Alice's session, whose socket is on one node, is served by
      // the node that holds neither socket (HAProxy's choice, read in that node's request log),
      // on a connection of its own (HAProxy keeps one connection's requests on one node).
      const { status, id } = await getOnce(`${lb}/api/me`, alice.token);
      expect(status).toBe(200);
      await until(() => servedBy(nodes, id) >= 0, 5000, `the log line of request ${id}`);
      expect(new Set([...nodeOf, servedBy(nodes, id)]).size).toBe(3);

      say(a.doc, alice, 'bonjour de la part d’Alice');
      say(b.doc, bruno, 'bonjour de la part de Bruno');
      await until(
        () => texts(b.doc).includes('bonjour de la part d’Alice'),
        10_000,
        'Alice’s message at Bruno',
      );
      await until(
        () => texts(a.doc).includes('bonjour de la part de Bruno'),
        10_000,
        'Bruno’s message at Alice',
      );

      // A socket left quiet is not cut by HAProxy (`timeout tunnel`): Alice's, whose node lives
      // on, is never closed from here to the end, a quiet 2 s included.
      let aliceClosed = 0;
      a.provider.on('connection-close', () => aliceClosed++);
      await new Promise((r) => setTimeout(r, 2000));

      // kill -9 of Bruno's node: his client reconnects through HAProxy to a surviving node.
      const killed = nodes[nodeOf[1]];
      const survivors = nodes.filter((n) => n !== killed);
      const before = snapshot(survivors);
      let reconnected = false;
      b.provider.on('sync', (synced: boolean) => synced && (reconnected = true));
      const started = Date.now();
      killed.child.kill('SIGKILL');
      await killed.exited;
      await until(() => reconnected && b.provider.wsconnected, 30_000, 'Bruno reconnected through HAProxy');
      const reconnectMs = Date.now() - started;
      await nodeOfNewSocket(survivors, before);
      // … and the health check marked the killed node down, and only it (the servers are named
      // node1, node2, node3 in the doc, in the order of `nodes`).
      await until(() => /is DOWN/.test(haproxy.output()), 10_000, 'HAProxy to mark the killed node down');
      expect(haproxy.output().match(/Server nodes\/\S+ is DOWN/g)).toEqual([
        `Server nodes/node${nodeOf[1] + 1} is DOWN`,
      ]);

      say(b.doc, bruno, 'encore là après kill -9');
      await until(
        () => texts(a.doc).includes('encore là après kill -9'),
        15_000,
        'Bruno’s message after the kill',
      );

      // Nothing acknowledged lost: a newcomer through HAProxy reads all three messages.
      const fresh = connect(lb, group.id, alice.token);
      later(() => fresh.provider.destroy());
      await waitForSync(fresh.provider);
      expect(texts(fresh.doc).sort()).toEqual(
        ['bonjour de la part d’Alice', 'bonjour de la part de Bruno', 'encore là après kill -9'].sort(),
      );
      expect(texts(fresh.doc)).toEqual(texts(a.doc));
      expect(aliceClosed).toBe(0);
      console.log(`reconnected through HAProxy ${reconnectMs} ms after kill -9`);
    });
  });
