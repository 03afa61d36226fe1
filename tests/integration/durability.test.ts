import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addMessage, listMessages, type DiscussionSummary, type PublicUser } from '@palabre/shared';
import {
  api,
  connect,
  createDiscussion,
  login,
  removeDataDir,
  say,
  spawnServer,
  texts,
  until,
  waitForSync,
  type ServerProcess,
  type TestUser,
} from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('durability across restarts', () => {
  const server = useTestServer();

  it('keeps the whole history and the sidebar preview across a server restart', async () => {
    const { alice, bob, d, a, b } = await server.aliceAndBob();
    for (let i = 0; i < 5; i++) {
      say(a.doc, alice, `Alice ${i}`);
      say(b.doc, bob, `Bob ${i}`);
    }
    await until(
      () => listMessages(a.doc).length === 10 && listMessages(b.doc).length === 10,
      5000,
      'both ways',
    );
    const history = texts(a.doc);
    a.provider.destroy();
    b.provider.destroy();

    await server.restart({ port: 0 });

    // Sessions survive too: Bob's token still opens the discussion on the new server.
    const fresh = await server.synced(d.id, bob.token);
    expect(texts(fresh.doc)).toEqual(history);
    const { body } = await server.api<{ discussions: DiscussionSummary[] }>('/api/discussions', bob.token);
    expect(body.discussions.find((x) => x.id === d.id)?.lastMessage?.preview).toBe(history.at(-1));
  });

  it('keeps clients working across a restart on the same port: what they wrote meanwhile syncs on return', async () => {
    const { alice, bob, d, a, b } = await server.aliceAndBob();
    say(a.doc, alice, 'avant le redémarrage');
    await until(() => texts(b.doc).length === 1, 5000, 'first message');

    await server.stop();
    // The server is down: both keep writing locally.
    say(a.doc, alice, 'pendant la coupure (Alice)');
    say(b.doc, bob, 'pendant la coupure (Bob)');
    await server.restart();

    await until(() => texts(a.doc).length === 3 && texts(b.doc).length === 3, 10_000, 'both to catch up');
    expect(listMessages(b.doc)).toEqual(listMessages(a.doc));
    const fresh = await server.synced(d.id, alice.token);
    expect(listMessages(fresh.doc)).toEqual(listMessages(a.doc));
  });
});

describe('durability against a crash', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function client(url: string, discussionId: string, token: string) {
    const c = connect(url, discussionId, token);
    cleanups.push(() => c.provider.destroy());
    return c;
  }

  it('loses nothing that was relayed when the server process is killed with SIGKILL right after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'palabre-crash-'));
    cleanups.push(() => removeDataDir(dataDir));
    const processes: ServerProcess[] = [];
    cleanups.push(async () => {
      for (const p of processes)
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
    });
    const adminPassword = 'admin-password-123';
    // Compacting every 7 updates, so the kill may also land around a compaction.
    const first = await spawnServer(dataDir, { ADMIN_PASSWORD: adminPassword, COMPACT_EVERY: '7' });
    processes.push(first);

    // Accounts are set up the way an admin does it: through the admin API.
    const admin = await login(first.url, 'admin', adminPassword);
    const users: TestUser[] = [];
    for (const name of ['alice', 'bob']) {
      const created = await api<{ user: PublicUser }>(first.url, '/api/admin/users', admin.token, {
        body: { username: name, displayName: name, password: 'password123' },
      });
      expect(created.status).toBe(201);
      users.push(await login(first.url, name, 'password123'));
    }
    const [alice, bob] = users;
    const d = await createDiscussion(first.url, alice, [bob]);
    const a = client(first.url, d.id, alice.token);
    const b = client(first.url, d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);

    // Alice keeps writing; the moment Bob has received 40 messages the server is killed.
    const atKill: { relayed: string[] | null } = { relayed: null };
    b.doc.on('update', () => {
      if (atKill.relayed) return;
      const seen = listMessages(b.doc).map((m) => m.id);
      if (seen.length >= 40) {
        first.child.kill('SIGKILL');
        atKill.relayed = seen;
      }
    });
    for (let i = 0; i < 400 && !atKill.relayed; i++) {
      addMessage(a.doc, { author: alice.user.id, text: `message ${i}`, now: Date.now() });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => atKill.relayed !== null, 10_000, 'Bob to receive 40 messages');
    const relayed = atKill.relayed!;
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    a.provider.destroy();
    b.provider.destroy();

    const second = await spawnServer(dataDir);
    processes.push(second);
    const fresh = client(second.url, d.id, bob.token);
    await waitForSync(fresh.provider);
    const recovered = listMessages(fresh.doc).map((m) => m.id);
    expect(recovered.length).toBeGreaterThanOrEqual(relayed.length);
    expect(recovered.slice(0, relayed.length)).toEqual(relayed);
  });
});
