/**
 * Retention (ARCHITECTURE.md "Retention"): a short policy over generated old messages (written
 * with past timestamps). Afterwards the raw SQLite files (database, -wal, -shm) and the file
 * store hold none of the purged text or file bytes; the preview's counts are what the run
 * deleted; pinned messages stay when the policy keeps them; a connected client drops them at once;
 * an old copy cannot bring them back (rule `expired_message`). Bad input gets 400/404 with a code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  DAY_MS,
  addMessage,
  editMessage,
  listMessages,
  messagesMap,
  pin,
  type FileRef,
  type RetentionReport,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { until, waitForSync, type TestServer, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

/** Which files of the data folder (SQLite files and the file store) hold these bytes, read raw. */
function filesHolding(dir: string, bytes: string | Uint8Array): string[] {
  const needle = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => {
    const path = join(dir, name);
    return statSync(path).isFile() && readFileSync(path).includes(needle);
  });
}

async function upload(
  server: TestServer,
  discussionId: string,
  who: TestUser,
  bytes: Uint8Array,
  name: string,
) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), name);
  const res = await fetch(`${server.url}/api/discussions/${discussionId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as FileRef;
}

describe('retention', () => {
  // Compacting often checkpoints the WAL: the texts reach the main database file before the purge.
  const server = useTestServer({ unloadAfterMs: 60_000, compactEvery: 4 });
  let admin: TestUser, alice: TestUser, bob: TestUser, carol: TestUser;

  beforeEach(async () => {
    admin = await server.createAdmin();
    [alice, bob, carol] = await server.createUsers('Alice', 'Bob', 'Carol');
  });

  async function client(id: string, who: TestUser) {
    const c = server.client(id, who.token);
    await waitForSync(c.provider);
    return c;
  }

  it('refuses a policy of 0, negative or fractional days (400) and an unknown discussion (404), with codes', async () => {
    expect((await server.api('/api/admin/retention', admin.token)).body).toEqual({
      days: null,
      keepPinned: true,
      overrides: [],
    });
    for (const days of [0, -3, 1.5, '30']) {
      const res = await server.api<{ error: { code: string } }>('/api/admin/retention', admin.token, {
        method: 'PUT',
        body: { days, keepPinned: true },
      });
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
      const preview = await server.api<{ error: { code: string } }>(
        '/api/admin/retention/preview',
        admin.token,
        { body: { days } },
      );
      expect([preview.status, preview.body.error.code]).toEqual([400, 'validation_failed']);
    }
    const unknown = await server.api<{ error: { code: string } }>(
      '/api/admin/discussions/zzzzzzzzzzzzzzzzzzzz/retention',
      admin.token,
      { method: 'PUT', body: { days: 7 } },
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'discussion_not_found']);
    const bad = await server.api<{ error: { code: string } }>('/api/admin/retention', alice.token, {
      method: 'PUT',
      body: { days: 7, keepPinned: true },
    });
    expect([bad.status, bad.body.error.code]).toEqual([403, 'forbidden']);
    // Nothing was saved by the refused requests.
    expect((await server.api('/api/admin/retention', admin.token)).body).toMatchObject({ days: null });
  });

  it('purges old messages and their files for good: preview counts = run counts, pinned kept, raw files clean', async () => {
    const tag = Math.random().toString(36).slice(2, 10);
    const now = Date.now();
    const g = await server.createDiscussion(alice, [bob, carol], 'Archives du chantier');
    const long = await server.createDiscussion(alice, [bob, carol], 'Contrats');
    const a = await client(g.id, alice);
    const b = await client(g.id, bob);
    const purgedBytes = new TextEncoder().encode(`octets-purges-${tag}-`.repeat(40));
    const keptBytes = new TextEncoder().encode(`octets-gardes-${tag}-`.repeat(40));
    const purgedFile = await upload(server, g.id, alice, purgedBytes, 'vieux.bin');
    const keptFile = await upload(server, g.id, alice, keptBytes, 'recent.bin');

    // 40 days ago: 6 messages, one with a file, one pinned; then 2 recent ones.
    const old: string[] = [];
    for (let i = 0; i < 6; i++) old.push(`vieux-secret-${i}-${tag}`);
    const oldTs = now - 40 * DAY_MS;
    let pinned = '';
    for (const [i, text] of old.entries()) {
      const m = addMessage(a.doc, {
        author: alice.user.id,
        text,
        now: oldTs + i,
        ...(i === 2 ? { files: [purgedFile] } : {}),
      });
      if (i === 4) pinned = m.id;
      // One write each (a burst would be one group commit): compaction, every 4 writes, brings
      // the texts to the main database file.
      await until(() => listMessages(b.doc).length === i + 1, 5000, 'relay');
    }
    pin(a.doc, pinned, alice.user.id, now);
    const pinnedText = old[4];
    const purgedTexts = old.filter((t) => t !== pinnedText);
    addMessage(a.doc, {
      author: alice.user.id,
      text: `recent-${tag}`,
      now,
      files: [keptFile],
    });
    addMessage(a.doc, { author: alice.user.id, text: `dernier-${tag}`, now: now + 1 });
    await until(() => listMessages(b.doc).length === 8, 5000, 'relay');
    // The other discussion keeps a year: its 40-day-old message stays.
    const c = await client(long.id, alice);
    addMessage(c.doc, { author: alice.user.id, text: `contrat-${tag}`, now: oldTs });
    await until(() => filesHolding(server.dataDir, `contrat-${tag}`).length > 0, 5000, 'stored');
    // Before: the texts and bytes are there, the main database file included.
    await until(
      () => filesHolding(server.dataDir, purgedTexts[0]).includes('palabre.sqlite'),
      5000,
      'in the file',
    );
    expect(filesHolding(server.dataDir, purgedBytes).length).toBeGreaterThan(0);

    expect(
      (
        await server.api(`/api/admin/discussions/${long.id}/retention`, admin.token, {
          method: 'PUT',
          body: { days: 365 },
        })
      ).status,
    ).toBe(200);
    const policy = await server.api('/api/admin/retention', admin.token, {
      method: 'PUT',
      body: { days: 30, keepPinned: true },
    });
    expect(policy.status).toBe(200);

    // A trial policy in the preview: without keeping pinned messages, one more.
    const trial = await server.api<RetentionReport>('/api/admin/retention/preview', admin.token, {
      body: { keepPinned: false },
    });
    expect(trial.body).toMatchObject({ messages: 6 });
    const preview = await server.api<RetentionReport>('/api/admin/retention/preview', admin.token, {
      method: 'POST',
    });
    expect(preview.body).toEqual({
      messages: 5,
      files: 1,
      discussions: [{ id: g.id, title: 'Archives du chantier', messages: 5, files: 1 }],
    });
    // The preview deleted nothing.
    expect(listMessages(b.doc)).toHaveLength(8);

    const run = await server.api<RetentionReport>('/api/admin/retention/run', admin.token, {
      method: 'POST',
    });
    expect(run.status).toBe(200);
    expect(run.body).toEqual(preview.body);

    // The connected client dropped them at once; the pinned one and the recent ones stay.
    await until(() => listMessages(b.doc).length === 3, 5000, 'purge relayed');
    expect(listMessages(b.doc).map((m) => m.text)).toEqual([pinnedText, `recent-${tag}`, `dernier-${tag}`]);

    // Raw files: no byte of the purged texts nor of the purged file, in any file of the data folder.
    const files = readdirSync(server.dataDir);
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    for (const text of purgedTexts) expect(filesHolding(server.dataDir, text)).toEqual([]);
    expect(filesHolding(server.dataDir, purgedBytes)).toEqual([]);
    expect(filesHolding(server.dataDir, keptBytes).length).toBeGreaterThan(0);
    expect(filesHolding(server.dataDir, pinnedText).length).toBeGreaterThan(0);
    expect(filesHolding(server.dataDir, `contrat-${tag}`).length).toBeGreaterThan(0);
    expect(await server.storage.files.byId(purgedFile.id)).toBeNull();
    expect(
      (
        await fetch(`${server.url}/api/files/${purgedFile.id}`, {
          headers: { authorization: `Bearer ${bob.token}` },
        })
      ).status,
    ).toBe(404);

    // A second run finds nothing; both runs and the policy changes are in the audit log with counts.
    expect(
      (await server.api<RetentionReport>('/api/admin/retention/run', admin.token, { method: 'POST' })).body,
    ).toEqual({
      messages: 0,
      files: 0,
      discussions: [],
    });
    const audit = await server.api<{ entries: { action: string; details: Record<string, unknown> }[] }>(
      '/api/admin/audit?limit=20',
      admin.token,
    );
    const runs = audit.body.entries.filter((e) => e.action === 'retention.run');
    expect(runs.map((r) => [r.details.messages, r.details.files])).toEqual([
      [0, 0],
      [5, 1],
    ]);
    expect(audit.body.entries.some((e) => e.action === 'retention.policy')).toBe(true);
    expect(audit.body.entries.some((e) => e.action === 'retention.discussion')).toBe(true);

    // An old copy cannot bring them back: a replica from before the purge comes back...
    const attacker = await connectAttacker(server.url, g.id, alice.token);
    server.defer(() => attacker.socket.terminate());
    // ...re-sending a purged message (same id, text and old time) is refused with expired_message.
    attacker.change((doc) =>
      messagesMap(doc).set('zzzzzzzzzzzzzzzzzzz1', {
        id: 'zzzzzzzzzzzzzzzzzzz1',
        author: alice.user.id,
        text: purgedTexts[0],
        ts: oldTs,
      }),
    );
    expect(await attacker.closed).toBe(CloseCode.UpdateRejected);
    expect(attacker.denied()).toMatch(/^expired_message/);
    expect(filesHolding(server.dataDir, purgedTexts[0])).toEqual([]);
    // The pinned message the purge kept can still be edited.
    editMessage(a.doc, {
      id: pinned,
      author: alice.user.id,
      text: `${pinnedText} (corrigé)`,
      now: Date.now(),
    });
    await until(() => listMessages(b.doc).some((m) => m.text.endsWith('(corrigé)')), 5000, 'edit relayed');
  });

  it('an offline copy from before the purge drops the purged messages when it syncs, and cannot edit them back', async () => {
    const tag = Math.random().toString(36).slice(2, 10);
    const g = await server.createDiscussion(alice, [bob, carol], 'Hors ligne');
    const a = await client(g.id, alice);
    const oldTs = Date.now() - 10 * DAY_MS;
    const old = addMessage(a.doc, {
      author: alice.user.id,
      text: `ancien-${tag}`,
      now: oldTs,
    });
    addMessage(a.doc, { author: alice.user.id, text: `neuf-${tag}`, now: Date.now() });
    const b = await client(g.id, bob);
    expect(listMessages(b.doc)).toHaveLength(2);
    // Bob goes offline with his copy; the purge runs meanwhile.
    b.provider.disconnect();
    await server.api('/api/admin/retention', admin.token, {
      method: 'PUT',
      body: { days: 5, keepPinned: true },
    });
    const run = await server.api<RetentionReport>('/api/admin/retention/run', admin.token, {
      method: 'POST',
    });
    expect(run.body.messages).toBe(1);
    expect(listMessages(b.doc)).toHaveLength(2);
    // An edit made offline to the purged message (Alice's copy offline too) is refused on return.
    const stale = new Y.Doc();
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(b.doc));
    b.provider.connect();
    await waitForSync(b.provider);
    await until(() => listMessages(b.doc).length === 1, 5000, 'purge reached the offline copy');
    expect(listMessages(b.doc).map((m) => m.text)).toEqual([`neuf-${tag}`]);

    const attacker = await connectAttacker(server.url, g.id, alice.token);
    server.defer(() => attacker.socket.terminate());
    const before = Y.encodeStateVector(stale);
    editMessage(stale, { id: old.id, author: alice.user.id, text: `ancien-${tag} modifié`, now: Date.now() });
    attacker.sendUpdate(Y.encodeStateAsUpdate(stale, before));
    expect(await attacker.closed).toBe(CloseCode.UpdateRejected);
    expect(attacker.denied()).toMatch(/^expired_message/);
    expect(listMessages(b.doc).map((m) => m.text)).toEqual([`neuf-${tag}`]);
    expect(filesHolding(server.dataDir, `ancien-${tag}`)).toEqual([]);
  });
});
