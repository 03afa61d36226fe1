/**
 * Palabre as a supervised service: started the way `npm start` starts it (the compiled server in
 * the started process), stopped with SIGTERM (sockets closed with 4503, everything committed,
 * exit 0), killed with SIGKILL and restarted on the same data folder (nothing acknowledged lost).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openSqlite } from '@palabre/sync-server';
import { addMessage, isPending, listMessages, type PublicUser } from '@palabre/shared';
import {
  api,
  closeCode,
  connect,
  createDiscussion,
  login,
  rawSocket,
  removeDataDir,
  until,
  waitForSync,
  type TestUser,
} from './helpers.js';
import { startWriter, type Writer } from './writer.js';
import { listeningPids, ROOT, startService, type Service } from './service-process.js';

/** The writer's messages the server has acknowledged: stored for good, by its own account. */
const ackedIds = (w: Writer) =>
  listMessages(w.doc)
    .filter((m) => !isPending(w.doc, m.id, w.acked))
    .map((m) => m.id);

async function setup(url: string): Promise<{ alice: TestUser; bob: TestUser; discussionId: string }> {
  const admin = await login(url, 'admin', 'admin-password-123');
  const [alice, bob] = await Promise.all(
    ['alice', 'bob'].map(async (name) => {
      const created = await api<{ user: PublicUser }>(url, '/api/admin/users', admin.token, {
        body: { username: name, displayName: name, password: 'password123' },
      });
      expect(created.status).toBe(201);
      return login(url, name, 'password123');
    }),
  );
  const d = await createDiscussion(url, alice, [bob]);
  return { alice, bob, discussionId: d.id };
}

/** The discussion's messages as stored in the SQLite file, read with the server stopped. */
async function storedIds(dataDir: string, discussionId: string): Promise<string[]> {
  const storage = openSqlite(join(dataDir, 'palabre.sqlite'));
  try {
    const doc = new Y.Doc();
    for (const u of (await storage.docs.load(discussionId)).updates) Y.applyUpdate(doc, u);
    return listMessages(doc).map((m) => m.id);
  } finally {
    await storage.close();
  }
}

const WRITER = { backoff: { baseMs: 100, maxMs: 500 } };

describe('Palabre as a service (started like npm start)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function track(service: Service): Service {
    cleanups.push(async () => {
      if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
      await service.exited;
    });
    return service;
  }
  function dataFolder(): string {
    const dir = mkdtempSync(join(tmpdir(), 'palabre-service-'));
    cleanups.push(() => removeDataDir(dir));
    return dir;
  }

  // `npm test` builds first, so this finds everything up to date; run alone, it builds what is stale.
  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }, 600_000);

  it('serves from the started pid; SIGTERM under writes closes sockets with 4503, commits everything, exits 0', async () => {
    const dataDir = dataFolder();
    const service = track(await startService(dataDir));
    expect(listeningPids(service.port)).toEqual([service.pid]);
    expect((await fetch(`${service.url}/api/health`)).status).toBe(200);

    const { alice, bob, discussionId } = await setup(service.url);
    const writer = startWriter(service.url, discussionId, alice, WRITER);
    cleanups.push(() => writer.sync.destroy());
    const watcher = await rawSocket(
      `${service.url.replace(/^http/, 'ws')}/sync/${discussionId}?token=${bob.token}`,
    );
    const watcherClosed = closeCode(watcher);

    // 30 messages stored and acknowledged, then 60 more with SIGTERM landing in the middle.
    for (let i = 0; i < 30; i++)
      addMessage(writer.doc, { author: alice.user.id, text: `m${i}`, now: Date.now() });
    await until(() => ackedIds(writer).length === 30, 10_000, 'the first 30 acknowledged');
    for (let i = 30; i < 90; i++) {
      addMessage(writer.doc, { author: alice.user.id, text: `m${i}`, now: Date.now() });
      if (i === 60) service.child.kill('SIGTERM');
      await new Promise((r) => setImmediate(r));
    }

    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(await watcherClosed).toBe(4503);
    const acked = ackedIds(writer);
    writer.sync.destroy();
    expect(service.lines.map((l) => l.event)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    // The database was closed cleanly: its write-ahead log was checkpointed into the file and removed.
    expect(existsSync(join(dataDir, 'palabre.sqlite-wal'))).toBe(false);
    const stored = await storedIds(dataDir, discussionId);
    expect(acked.length).toBeGreaterThanOrEqual(30);
    expect(stored).toEqual(expect.arrayContaining(acked));
  });

  it('SIGKILL hits the process holding the data; restarted on the same folder, nothing acknowledged is lost', async () => {
    const dataDir = dataFolder();
    const first = track(await startService(dataDir));
    expect(listeningPids(first.port)).toEqual([first.pid]);
    const { alice, bob, discussionId } = await setup(first.url);
    const writer = startWriter(first.url, discussionId, alice, WRITER);
    cleanups.push(() => writer.sync.destroy());

    // Alice keeps writing; the moment 40 of her messages are acknowledged, the pid is killed.
    let ackedAtKill: string[] | null = null;
    writer.sync.on('ack', () => {
      if (ackedAtKill) return;
      const acked = ackedIds(writer);
      if (acked.length >= 40) {
        process.kill(first.pid, 'SIGKILL');
        ackedAtKill = acked;
      }
    });
    for (let i = 0; i < 2000 && !ackedAtKill; i++) {
      addMessage(writer.doc, { author: alice.user.id, text: `message ${i}`, now: Date.now() });
      await new Promise((r) => setTimeout(r, i % 10 === 0 ? 5 : 0));
    }
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    writer.sync.destroy();
    // Nothing is left serving: the killed pid was the server, not a wrapper around it.
    expect(listeningPids(first.port)).toEqual([]);
    await expect(fetch(`${first.url}/api/health/live`)).rejects.toThrow();

    const second = track(await startService(dataDir));
    expect(listeningPids(second.port)).toEqual([second.pid]);
    const fresh = connect(second.url, discussionId, bob.token);
    cleanups.push(() => fresh.provider.destroy());
    await waitForSync(fresh.provider);
    const recovered = listMessages(fresh.doc).map((m) => m.id);
    expect(ackedAtKill!.length).toBeGreaterThanOrEqual(40);
    expect(recovered).toEqual(expect.arrayContaining(ackedAtKill!));
  });
});

describe('builds from one folder', () => {
  it('two builds at once take turns on the lock and leave a complete, current server build', async () => {
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['scripts/build.mjs', '--force', 'server'], { cwd: ROOT });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += String(c)));
        child.stderr.on('data', (c: Buffer) => (out += String(c)));
        child.once('exit', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.out + b.out).toContain('which holds the build lock');
    const stamp = JSON.parse(readFileSync(join(ROOT, 'sync-server/dist/.palabre-stamp.json'), 'utf8')) as {
      hash: string;
    };
    const state = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import('./scripts/build-state.mjs').then(m => console.log(m.targetHash('server')))",
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(stamp.hash).toBe(state.stdout.trim());
    expect(existsSync(join(ROOT, 'sync-server/dist/main.js'))).toBe(true);
  });

  it('a lock left by a process that died is taken over', () => {
    const lock = join(ROOT, '.palabre.lock');
    // pid 2^22 + 1 is above Linux's pid_max: no such process.
    writeFileSync(lock, String(4_194_305));
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--force', 'server'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});
