/**
 * POST /api/admin/backups: an admin starts a backup from the API; it is written by the `palabre`
 * command in a child process into the backups folder, listed by GET, verifiable, and in the audit
 * log. One at a time; admins only.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, BackupInfo } from '@palabre/shared';
import { palabre } from './palabre-cli.js';
import { useTestServer } from './server-fixture.js';
import { api, type TestUser } from './helpers.js';

interface Listing {
  dir: string;
  backups: BackupInfo[];
}

const elsewhere = mkdtempSync(join(tmpdir(), 'palabre-backups-dir-'));
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

async function finished(url: string, admin: TestUser, name: string): Promise<BackupInfo> {
  let found: BackupInfo | undefined;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const list = await api<Listing>(url, '/api/admin/backups', admin.token);
    found = list.body.backups.find((b) => b.name === name);
    if (found && found.status !== 'running') return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backup ${name} still ${found?.status ?? 'missing'}`);
}

describe('backups from the admin API', () => {
  const server = useTestServer();
  let admin: TestUser;
  beforeEach(async () => {
    admin = await server.createAdmin();
    const [alice, bob] = await server.createUsers('Alice', 'Bob');
    await server.createDiscussion(alice, [bob], 'Équipe');
  });

  it('starts a backup into DATA_DIR/backups, says where, lists it, and it verifies', async () => {
    const started = await server.api<{ dir: string; backup: BackupInfo }>('/api/admin/backups', admin.token, {
      method: 'POST',
    });
    expect(started.status).toBe(202);
    const dir = join(server.dataDir, 'backups');
    expect(started.body.dir).toBe(dir);
    expect(started.body.backup).toMatchObject({
      status: 'running',
      path: join(dir, started.body.backup.name),
    });
    expect(started.body.backup.name).toMatch(/^palabre-\d{8}T\d{6}Z(-\d+)?\.tar$/);

    // One at a time.
    const second = await server.api<{ error: { code: string } }>('/api/admin/backups', admin.token, {
      method: 'POST',
    });
    expect([second.status, second.body.error.code]).toEqual([409, 'backup_running']);

    const done = await finished(server.url, admin, started.body.backup.name);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'done', path: started.body.backup.path });
    expect(done.size).toBeGreaterThan(0);
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dir)).toEqual([done.name]);

    const verify = await palabre(['verify', done.path]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('backup OK');

    const audit = await server.api<{ entries: AuditEntry[] }>('/api/admin/audit', admin.token);
    const mine = audit.body.entries.filter((e) => e.targetType === 'backup' && e.targetId === done.name);
    expect(mine.map((e) => [e.action, e.actorId])).toEqual([
      ['backup.done', admin.user.id],
      ['backup.start', admin.user.id],
    ]);
    expect(mine[0]!.details).toMatchObject({ path: done.path, size: done.size, sha256: done.sha256 });

    // And again: a second file beside the first.
    const again = await server.api<{ backup: BackupInfo }>('/api/admin/backups', admin.token, {
      method: 'POST',
    });
    expect(again.status).toBe(202);
    await finished(server.url, admin, again.body.backup.name);
    const list = await server.api<Listing>('/api/admin/backups', admin.token);
    expect(list.body.backups.map((b) => b.status)).toEqual(['done', 'done']);
  }, 60_000);

  it('writes into PALABRE_BACKUP_DIR when set, and reports a failure with its code', async () => {
    await server.start({ backups: { dir: join(elsewhere, 'ici') } });
    admin = await server.createAdmin();
    const started = await server.api<{ dir: string; backup: BackupInfo }>('/api/admin/backups', admin.token, {
      method: 'POST',
    });
    expect(started.body.dir).toBe(join(elsewhere, 'ici'));
    const done = await finished(server.url, admin, started.body.backup.name);
    expect(done.status).toBe('done');
    expect(readdirSync(join(elsewhere, 'ici'))).toEqual([done.name]);

    // A data folder the command cannot back up (its database gone): the failure is listed and audited.
    rmSync(join(server.dataDir, 'palabre.sqlite'), { force: true });
    const failing = await server.api<{ backup: BackupInfo }>('/api/admin/backups', admin.token, {
      method: 'POST',
    });
    expect(failing.status).toBe(202);
    const failed = await finished(server.url, admin, failing.body.backup.name);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('no_database');
  }, 60_000);
});
