/**
 * The one test-server fixture: `const server = useTestServer()` inside a describe starts a real
 * server (port 0, fresh SQLite file) before each test and, after it, runs what the test deferred
 * (clients, sockets: last first), stops the server and deletes its data.
 *
 * The returned value reads like the running server (`server.url`, `server.auth`,
 * `server.storage`, ...: always the current one, also after `restart`) plus a few helpers.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { ServerConfig } from '@palabre/sync-server';
import type * as Y from 'yjs';
import type { DiscussionSummary } from '@palabre/shared';
import {
  api,
  connect,
  createAdmin,
  createDiscussion,
  createUser,
  removeDataDir,
  startTestServer,
  waitForSync,
  type ApiInit,
  type TestServer,
  type TestUser,
} from './helpers.js';
import type { WebsocketProvider } from 'y-websocket';

type Client = { doc: Y.Doc; provider: WebsocketProvider };

export interface FixtureHelpers {
  /** Start this test's server now (closing the one running), with these options and fresh data. */
  start(overrides?: Partial<ServerConfig>): Promise<TestServer>;
  /** Close the server and start it again on the same data (and the same port unless told). */
  restart(overrides?: Partial<ServerConfig>): Promise<TestServer>;
  /** Close the server, keeping its data (a restart may follow). */
  stop(): Promise<void>;
  /** Run fn after the test, before the server stops (last deferred runs first). */
  defer(fn: () => unknown): void;
  /** Run what was deferred so far now (clients closed mid-test, say), last first. */
  runDeferred(): Promise<void>;
  /** A stock y-websocket client, destroyed after the test. */
  client(
    discussionId: string,
    token: string | null,
    doc?: Y.Doc,
  ): { doc: Y.Doc; provider: WebsocketProvider };
  /** The same, once its first sync is done. */
  synced(discussionId: string, token: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }>;
  /** A user of this server, logged in (see helpers.createUser). */
  createUser(displayName?: string): Promise<TestUser>;
  /** Several users, created one after the other in this order. */
  createUsers(...displayNames: string[]): Promise<TestUser[]>;
  /** Alice and Bob in a discussion (d) of their own, each with a client (a, b) done syncing. */
  aliceAndBob(): Promise<{ alice: TestUser; bob: TestUser; d: DiscussionSummary; a: Client; b: Client }>;
  /** Its admin `root`, logged in. */
  createAdmin(): Promise<TestUser>;
  /** A discussion that creator makes with these others, through the HTTP API. */
  createDiscussion(creator: TestUser, others: TestUser[], title?: string): Promise<DiscussionSummary>;
  /** A JSON request to this server: its status and parsed body. */
  api<T = unknown>(path: string, token: string | null, init?: ApiInit): Promise<{ status: number; body: T }>;
}

export type ServerFixture = TestServer & FixtureHelpers;

export interface FixtureOptions {
  /** 'test' (default): one server per test; 'file': one for the whole describe (or file). */
  scope?: 'test' | 'file';
  /** false: the test calls `start(overrides)` itself. */
  autoStart?: boolean;
}

export function useTestServer(
  overrides: Partial<ServerConfig> = {},
  { scope = 'test', autoStart = true }: FixtureOptions = {},
): ServerFixture {
  let current: TestServer | null = null;
  let running = false;
  const dataDirs = new Set<string>();
  const deferred: (() => unknown)[] = [];

  const stop = async () => {
    if (current && running) {
      running = false;
      await current.close();
    }
  };
  const helpers: FixtureHelpers = {
    async start(more = {}) {
      await stop();
      current = await startTestServer({ ...overrides, ...more });
      running = true;
      dataDirs.add(current.dataDir);
      return current;
    },
    async restart(more = {}) {
      if (!current) throw new Error('no server to restart');
      const { dataDir, port } = current;
      await stop();
      current = await startTestServer({ ...overrides, port, ...more }, dataDir);
      running = true;
      return current;
    },
    stop,
    defer: (fn) => void deferred.push(fn),
    async runDeferred() {
      for (const fn of deferred.splice(0).reverse()) await fn();
    },
    client(discussionId, token, doc) {
      const c = connect(server.url, discussionId, token, doc);
      deferred.push(() => c.provider.destroy());
      return c;
    },
    async synced(discussionId, token) {
      const c = helpers.client(discussionId, token);
      await waitForSync(c.provider);
      return c;
    },
    createUser: (displayName) => createUser(server, displayName),
    async createUsers(...displayNames) {
      const users: TestUser[] = [];
      for (const name of displayNames) users.push(await createUser(server, name));
      return users;
    },
    async aliceAndBob() {
      const [alice, bob] = await helpers.createUsers('Alice', 'Bob');
      const d = await helpers.createDiscussion(alice, [bob]);
      const [a, b] = await Promise.all([helpers.synced(d.id, alice.token), helpers.synced(d.id, bob.token)]);
      return { alice, bob, d, a, b };
    },
    createAdmin: () => createAdmin(server),
    createDiscussion: (creator, others, title) => createDiscussion(server.url, creator, others, title),
    api: (path, token, init) => api(server.url, path, token, init),
  };

  const setUp = async () => {
    if (autoStart) await helpers.start();
  };
  const tearDown = async () => {
    await helpers.runDeferred();
    await stop();
    for (const dir of dataDirs) removeDataDir(dir);
    dataDirs.clear();
    current = null;
  };
  if (scope === 'file') {
    beforeAll(setUp);
    afterAll(tearDown);
  } else {
    beforeEach(setUp);
    afterEach(tearDown);
  }

  const server = new Proxy(helpers, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof FixtureHelpers];
      if (!current) throw new Error(`no test server running (reading ${String(prop)})`);
      return current[prop as keyof TestServer];
    },
  }) as ServerFixture;
  return server;
}
