/**
 * Backup and restore with the `palabre` command as a real child process, against a real server:
 * a backup taken while five clients write restores into a fresh data folder on which a new
 * server has every message acknowledged before the backup began, with users, memberships, roles,
 * pins and files. Then what a damaged backup, a non-empty folder and bad input get.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  addMessage,
  DocSync,
  listMessages,
  listPins,
  pendingMessages,
  pin,
  type DiscussionSummary,
  type FileRef,
} from '@palabre/shared';
import { palabre } from './palabre-cli.js';
import { useTestServer } from './server-fixture.js';
import { startWriter, type Writer } from './writer.js';
import { ROOT } from './service-process.js';
import {
  api,
  login,
  removeDataDir,
  sleep,
  startTestServer,
  until,
  type TestServer,
  type TestUser,
} from './helpers.js';

const WRITERS = 5;
const scratch = mkdtempSync(join(tmpdir(), 'palabre-backup-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// `npm test` builds first; run alone, the command builds the server once here, not inside a test.
beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
}, 120_000);

/** The ids of the writer's own messages that the server has acknowledged. */
function acknowledged(w: Writer): string[] {
  const pending = new Set(pendingMessages(w.doc, w.user.user.id, w.acked).map((m) => m.id));
  return listMessages(w.doc)
    .filter((m) => m.author === w.user.user.id && !pending.has(m.id))
    .map((m) => m.id);
}

async function upload(url: string, discussionId: string, who: TestUser, bytes: Buffer, name: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
  const res = await fetch(`${url}/api/discussions/${discussionId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as FileRef;
}

async function readDoc(url: string, discussionId: string, who: TestUser): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const sync = new DocSync(doc, {
    url: `${url.replace(/^http/, 'ws')}/sync/${discussionId}?token=${who.token}`,
    socket: (u) => new WebSocket(u) as never,
  });
  const synced = new Promise<void>((resolve) => sync.on('synced', () => resolve()));
  sync.connect();
  await synced;
  sync.destroy();
  return doc;
}

const members = async (url: string, id: string, who: TestUser) =>
  (await api<DiscussionSummary>(url, `/api/discussions/${id}`, who.token)).body.members
    .map((m) => `${m.userId}:${m.role}`)
    .sort();

const WRITER = { backoff: { baseMs: 50, maxMs: 1000 } };

describe('palabre backup while five clients write, then restore', () => {
  const server = useTestServer();
  let restored: TestServer | null = null;
  afterAll(async () => {
    await restored?.close();
    if (restored) removeDataDir(restored.dataDir);
  });

  it('restores every message acknowledged before the backup began, with users, roles, pins and files', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < WRITERS; i++) users.push(await server.createUser(`Writer ${i}`));
    const reader = await server.createUser('Lecteur');
    const group = await server.createDiscussion(users[0]!, [...users.slice(1), reader], 'Sauvegarde');
    const direct = await server.createDiscussion(users[0]!, [users[1]!]);
    for (const [who, role] of [
      [users[1]!, 'moderator'],
      [reader, 'reader'],
    ] as const)
      expect(
        (
          await server.api(`/api/discussions/${group.id}/members/${who.user.id}`, users[0]!.token, {
            method: 'PATCH',
            body: { role },
          })
        ).status,
      ).toBe(200);

    // A file uploaded through the API, sent in a message, and that message pinned.
    const pdf = Buffer.from(`%PDF-1.4 rapport ${Math.random()}\n`.repeat(500));
    const ref = await upload(server.url, group.id, users[0]!, pdf, 'rapport.pdf');
    const first = startWriter(server.url, group.id, users[0]!, WRITER);
    const withFile = addMessage(first.doc, {
      author: users[0]!.user.id,
      text: 'Le rapport',
      now: Date.now(),
      files: [ref],
    });
    pin(first.doc, withFile.id, users[0]!.user.id, Date.now());
    const directWriter = startWriter(server.url, direct.id, users[1]!, WRITER);
    const directMessage = addMessage(directWriter.doc, {
      author: users[1]!.user.id,
      text: 'En privé',
      now: Date.now(),
    });
    await until(
      () =>
        acknowledged(first).includes(withFile.id) && acknowledged(directWriter).includes(directMessage.id),
      10_000,
      'the file message and the direct message acknowledged',
    );
    directWriter.sync.destroy();

    // Five writers, continuously, until told to stop.
    const writers = [first, ...users.slice(1).map((u) => startWriter(server.url, group.id, u, WRITER))];
    let writing = true;
    let sent = 0;
    const loops = writers.map(async (w, index) => {
      for (let i = 0; writing; i++) {
        addMessage(w.doc, { author: w.user.user.id, text: `w${index}-${i}`, now: Date.now() });
        sent++;
        await sleep(5 + Math.random() * 10);
      }
    });
    await until(() => writers.every((w) => acknowledged(w).length > 20), 20_000, 'writers under way');

    // Everything acknowledged now was committed before the backup began.
    const before = new Set(writers.flatMap(acknowledged));
    const acksBefore = writers.reduce((n, w) => n + w.acks, 0);
    const out = join(scratch, 'live.tar');
    const backup = await palabre(['backup', '--out', out], { DATA_DIR: server.dataDir });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`backup written: ${out}`);
    // Writes went on and were acknowledged while the backup ran.
    const acksDuring = writers.reduce((n, w) => n + w.acks, 0) - acksBefore;
    expect(acksDuring).toBeGreaterThan(0);
    const idsAtEnd = new Set(writers.flatMap((w) => listMessages(w.doc).map((m) => m.id)));
    // ...and go on after it: these cannot be in the backup.
    await sleep(300);
    writing = false;
    await Promise.all(loops);
    await until(
      () => writers.every((w) => pendingMessages(w.doc, w.user.user.id, w.acked).length === 0),
      20_000,
      'all acknowledged',
    );
    const after = writers
      .flatMap((w) => listMessages(w.doc).map((m) => m.id))
      .filter((id) => !idsAtEnd.has(id));
    expect(after.length).toBeGreaterThan(0);
    const usersBefore = (await server.storage.directory.listUsers()).map((u) => u.username).sort();
    const membersBefore = await members(server.url, group.id, users[0]!);
    for (const w of writers) w.sync.destroy();

    const verify = await palabre(['verify', out]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('backup OK');

    const dataDir = join(scratch, 'restored');
    const restore = await palabre(['restore', out, '--data-dir', dataDir]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(readdirSync(scratch).filter((n) => n.includes('.restoring-'))).toEqual([]);

    // A new server on the restored folder.
    restored = await startTestServer({}, dataDir);
    const url = restored.url;
    expect((await restored.storage.directory.listUsers()).map((u) => u.username).sort()).toEqual(usersBefore);
    const again = await login(url, users[0]!.user.username, 'password123');
    const moderator = await login(url, users[1]!.user.username, 'password123');
    expect(await members(url, group.id, again)).toEqual(membersBefore);
    expect(membersBefore).toContain(`${users[1]!.user.id}:moderator`);
    expect(membersBefore).toContain(`${reader.user.id}:reader`);

    const doc = await readDoc(url, group.id, again);
    const ids = new Set(listMessages(doc).map((m) => m.id));
    const lost = [...before].filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    expect(before.size).toBeGreaterThan(100);
    for (const id of after) expect(ids.has(id)).toBe(false);
    expect(listPins(doc).map((p) => p.messageId)).toEqual([withFile.id]);
    expect(listMessages(doc).find((m) => m.id === withFile.id)?.files?.[0]?.id).toBe(ref.id);
    const file = await fetch(`${url}/api/files/${ref.id}`, {
      headers: { authorization: `Bearer ${again.token}` },
    });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    const directDoc = await readDoc(url, direct.id, moderator);
    expect(listMessages(directDoc).map((m) => m.text)).toEqual(['En privé']);
    expect(sent).toBeGreaterThan(before.size);
  }, 90_000);
});
