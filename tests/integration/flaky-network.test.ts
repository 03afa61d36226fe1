/**
 * Five writers behind a proxy that delays packets and cuts connections at random: every client
 * and the server end with all 1,000 messages exactly once, in the same order. Then the same
 * with a kill -9 of the server in the middle of the run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, listMessages, pendingMessages } from '@palabre/shared';
import { startFlakyProxy, type FlakyProxy } from './flaky-proxy.js';
import {
  api,
  login,
  removeDataDir,
  sleep,
  spawnServer,
  until,
  type ServerProcess,
  type TestUser,
} from './helpers.js';
import { startWriter, type Writer } from './writer.js';

const WRITERS = 5;
const PER_WRITER = 200;

async function setup(server: ServerProcess): Promise<{ users: TestUser[]; discussionId: string }> {
  const admin = await login(server.url, 'admin', 'admin-password');
  const users: TestUser[] = [];
  for (let i = 0; i < WRITERS; i++) {
    const username = `writer${i}`;
    await api(server.url, '/api/admin/users', admin.token, {
      body: { username, displayName: `Writer ${i}`, password: 'password123' },
    });
    users.push(await login(server.url, username, 'password123'));
  }
  const created = await api<{ id: string }>(server.url, '/api/discussions', users[0].token, {
    body: { memberIds: users.slice(1).map((u) => u.user.id), title: 'Flaky' },
  });
  return { users, discussionId: created.body.id };
}

/** Each writer sends PER_WRITER messages at its own pace, whatever the connection does. */
async function writeAll(writers: Writer[], onHalfway?: () => Promise<void>): Promise<void> {
  let halfway: Promise<void> | null = null;
  await Promise.all(
    writers.map(async (w, index) => {
      for (let i = 0; i < PER_WRITER; i++) {
        addMessage(w.doc, { author: w.user.user.id, text: `w${index}-${i}`, now: Date.now() });
        if (index === 0 && i === PER_WRITER / 2 && onHalfway) halfway = onHalfway();
        await sleep(2 + Math.random() * 8);
      }
    }),
  );
  await halfway;
}

async function storedMessages(dataDir: string): Promise<string[]> {
  const { openSqlite } = await import('../../sync-server/src/storage/sqlite.js');
  const storage = openSqlite(join(dataDir, 'palabre.sqlite'));
  try {
    const rows = await storage.directory.listDiscussions();
    const { updates } = await storage.docs.load(rows[0].id);
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return listMessages(doc).map((m) => m.id);
  } finally {
    await storage.close();
  }
}

async function expectConverged(writers: Writer[], dataDir: string, server: ServerProcess): Promise<void> {
  const total = WRITERS * PER_WRITER;
  await until(
    () =>
      writers.every(
        (w) =>
          listMessages(w.doc).length === total &&
          pendingMessages(w.doc, w.user.user.id, w.acked).length === 0,
      ),
    60_000,
    'every client to hold every message, all acknowledged',
  );
  const reference = listMessages(writers[0].doc).map((m) => m.id);
  expect(new Set(reference).size).toBe(total);
  for (const w of writers) expect(listMessages(w.doc).map((m) => m.id)).toEqual(reference);
  // Each writer's own messages keep the order it wrote them in.
  for (const [index, w] of writers.entries()) {
    const mine = listMessages(w.doc)
      .filter((m) => m.author === w.user.user.id)
      .map((m) => m.text);
    expect(mine).toEqual(Array.from({ length: PER_WRITER }, (_, i) => `w${index}-${i}`));
  }
  server.child.kill('SIGTERM');
  await server.exited;
  expect(await storedMessages(dataDir)).toEqual(reference);
}

/** Quick to retry and to notice a silent socket: the proxy drops and stalls connections. */
const FLAKY_WRITER = {
  backoff: { baseMs: 50, maxMs: 1000 },
  resyncMs: 1000,
  silenceMs: 5000,
};

describe('flaky network', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('5 clients x 200 messages through a flapping proxy: all 1,000 everywhere, once, in one order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'palabre-flaky-'));
    cleanups.push(() => removeDataDir(dataDir));
    const server = await spawnServer(dataDir, { ADMIN_PASSWORD: 'admin-password' });
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const { users, discussionId } = await setup(server);
    const proxy: FlakyProxy = await startFlakyProxy(Number(new URL(server.url).port));
    cleanups.push(() => proxy.close());
    const writers = users.map((u) =>
      startWriter(`http://127.0.0.1:${proxy.port}`, discussionId, u, FLAKY_WRITER),
    );
    cleanups.push(() => writers.forEach((w) => w.sync.destroy()));

    proxy.startFlapping();
    await writeAll(writers);
    proxy.stopFlapping();
    expect(proxy.cuts).toBeGreaterThan(0);
    await expectConverged(writers, dataDir, server);
  });

  it('the same with a kill -9 of the server in the middle of the run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'palabre-flaky-kill-'));
    cleanups.push(() => removeDataDir(dataDir));
    let server = await spawnServer(dataDir, { ADMIN_PASSWORD: 'admin-password' });
    const port = new URL(server.url).port;
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const { users, discussionId } = await setup(server);
    const proxy = await startFlakyProxy(Number(port));
    cleanups.push(() => proxy.close());
    const writers = users.map((u) =>
      startWriter(`http://127.0.0.1:${proxy.port}`, discussionId, u, FLAKY_WRITER),
    );
    cleanups.push(() => writers.forEach((w) => w.sync.destroy()));

    proxy.startFlapping({ minMs: 200, maxMs: 1000 });
    await writeAll(writers, async () => {
      server.child.kill('SIGKILL');
      await server.exited;
      await sleep(300);
      server = await spawnServer(dataDir, { PORT: port });
    });
    proxy.stopFlapping();
    await expectConverged(writers, dataDir, server);
  });
});
