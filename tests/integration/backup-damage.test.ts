/**
 * What the `palabre` command does with a damaged or truncated backup (verify and restore say so
 * and change nothing), with a data folder that is not empty (refused unless --force, and then the
 * old folder is kept aside), and with bad input (named codes, exit 2 for usage).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarWriter } from '../../sync-server/src/backup/tar.js';
import { palabre } from './palabre-cli.js';
import { ROOT } from './service-process.js';
import { createDiscussion, createUser, startTestServer } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'palabre-backup-damage-'));
const good = join(scratch, 'good.tar');
/** The bytes of the uploaded file, easy to find inside the archive. */
const marker = Buffer.from('FICHIER-TEMOIN-'.repeat(400));

beforeAll(async () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  const server = await startTestServer({}, join(scratch, 'source'));
  const alice = await createUser(server, 'Alice');
  const bob = await createUser(server, 'Bob');
  const d = await createDiscussion(server.url, alice, [bob], 'Équipe');
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(marker)], { type: 'text/plain' }), 'témoin.txt');
  const res = await fetch(`${server.url}/api/discussions/${d.id}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  const made = await palabre(['backup', '--out', good, '--data-dir', server.dataDir]);
  await server.close();
  expect(made.code, made.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function variant(change: (bytes: Buffer) => Buffer): string {
  const file = join(scratch, `variant-${++n}.tar`);
  writeFileSync(file, change(readFileSync(good)));
  return file;
}
const flip = (bytes: Buffer, at: number) => {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
};

/** A data folder with content that must survive a refused or failed restore untouched. */
function occupiedDir(): { dir: string; unchanged: () => void } {
  const dir = join(scratch, `occupied-${++n}`);
  mkdirSync(join(dir, 'files'), { recursive: true });
  writeFileSync(join(dir, 'palabre.sqlite'), 'the data in service');
  const snapshot = () =>
    JSON.stringify([readdirSync(dir).sort(), readFileSync(join(dir, 'palabre.sqlite'), 'utf8')]);
  const before = snapshot();
  return { dir, unchanged: () => expect(snapshot()).toBe(before) };
}

/** Where the tar header of the entry with this name starts (headers sit on 512-byte boundaries). */
function headerOffset(bytes: Buffer, name: string): number {
  for (let at = bytes.indexOf(name); at !== -1; at = bytes.indexOf(name, at + 1))
    if (at % 512 === 0) return at;
  throw new Error(`no header for ${name}`);
}

const leftovers = () => readdirSync(scratch).filter((name) => /\.restoring-|\.replaced-/.test(name));

describe('palabre verify and restore on a damaged backup', () => {
  const cases: [string, () => string, string, RegExp][] = [
    [
      'a flipped byte in a stored file',
      () => variant((b) => flip(b, b.indexOf(marker) + 100)),
      'backup_corrupt',
      /data\/files\/.+SHA-256 differs/,
    ],
    [
      'a flipped byte in the database',
      () => variant((b) => flip(b, b.indexOf('SQLite format 3') + 5000)),
      'backup_corrupt',
      /data\/palabre\.sqlite.+SHA-256 differs/,
    ],
    [
      'a flipped byte in the manifest',
      () => variant((b) => flip(b, b.indexOf('"parts"') + 2)),
      'backup_corrupt',
      /manifest|header/,
    ],
    [
      'a damaged entry header',
      () => variant((b) => flip(b, headerOffset(b, 'data/palabre.sqlite') + 3)),
      'backup_corrupt',
      /damaged entry header/,
    ],
    [
      'a file cut in half',
      () => variant((b) => b.subarray(0, Math.floor(b.length / 2))),
      'backup_truncated',
      /truncated/,
    ],
    [
      'a file cut inside the last file',
      () => variant((b) => b.subarray(0, b.indexOf(marker) + 10)),
      'backup_truncated',
      /truncated/,
    ],
    [
      'a file without its closing blocks',
      () => variant((b) => b.subarray(0, b.length - 1024)),
      'backup_truncated',
      /closing blocks/,
    ],
    ['an empty file', () => variant(() => Buffer.alloc(0)), 'backup_truncated', /empty/],
    [
      'a file that is not a backup',
      () => variant(() => Buffer.from('not a tar at all\n'.repeat(100))),
      'not_a_backup',
      /not a Palabre backup/,
    ],
  ];

  it('the intact backup verifies', async () => {
    const ok = await palabre(['verify', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('pass SQLite');
  });

  for (const [what, make, code, message] of cases) {
    it(`${what}: verify and restore say so, and change nothing`, async () => {
      const file = make();
      const verify = await palabre(['verify', file]);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain(`error [${code}]`);
      expect(verify.stderr).toMatch(message);

      const fresh = join(scratch, `fresh-${++n}`);
      const restore = await palabre(['restore', file, '--data-dir', fresh]);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain(`error [${code}]`);
      expect(existsSync(fresh)).toBe(false);

      const occupied = occupiedDir();
      const forced = await palabre(['restore', file, '--data-dir', occupied.dir, '--force']);
      expect(forced.code).toBe(1);
      expect(forced.stderr).toContain(`error [${code}]`);
      occupied.unchanged();
      expect(leftovers()).toEqual([]);
    }, 30_000);
  }

  it('a database that fails SQLite integrity check is reported even when every hash matches', async () => {
    // An archive made as the backup makes them, around a database damaged before it was hashed.
    const restored = join(scratch, 'for-damage');
    expect((await palabre(['restore', good, '--data-dir', restored])).code).toBe(0);
    const db = readFileSync(join(restored, 'palabre.sqlite'));
    // Scribble over the users table (page 2), keeping the header and the schema (page 1) valid.
    db.fill(0x7f, 4096, 8192);
    const manifest = JSON.parse(
      readFileSync(good)
        .subarray(512, 512 + readFileSync(good).indexOf('\n}\n') + 2 - 512)
        .toString(),
    ) as { parts: { path: string; kind: string; size: number; sha256: string }[] };
    const parts = manifest.parts.map((p) => {
      const bytes = p.kind === 'database' ? db : readFileSync(join(restored, p.path.slice('data/'.length)));
      return { ...p, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
    });
    const manifestBytes = Buffer.from(
      JSON.stringify({ ...manifest, parts: parts.map(({ bytes: _, ...p }) => p) }),
    );
    const out = join(scratch, 'damaged-db.tar');
    const fh = await open(out, 'w');
    const tar = new TarWriter(fh);
    await tar.entry('manifest.json', manifestBytes.length, [manifestBytes]);
    for (const p of parts) await tar.entry(p.path, p.bytes.length, [p.bytes]);
    await tar.end();
    await fh.close();
    const verify = await palabre(['verify', out]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(
      /error \[backup_corrupt\]: data\/palabre\.sqlite fails SQLite's integrity check/,
    );
    const fresh = join(scratch, 'fresh-damaged');
    expect((await palabre(['restore', out, '--data-dir', fresh])).code).toBe(1);
    expect(existsSync(fresh)).toBe(false);
  }, 30_000);
});

describe('palabre restore into a folder that is not empty', () => {
  it('is refused without --force and changes nothing', async () => {
    const occupied = occupiedDir();
    const refused = await palabre(['restore', good, '--data-dir', occupied.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error [data_dir_not_empty]');
    occupied.unchanged();
  });

  it('with --force, replaces it and keeps the old folder aside', async () => {
    const occupied = occupiedDir();
    const forced = await palabre(['restore', good, '--data-dir', occupied.dir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const aside = /now (\S+)/.exec(forced.stdout)?.[1];
    expect(aside).toBeDefined();
    expect(readFileSync(join(aside!, 'palabre.sqlite'), 'utf8')).toBe('the data in service');
    expect(readFileSync(join(occupied.dir, 'palabre.sqlite')).subarray(0, 15).toString()).toBe(
      'SQLite format 3',
    );
    rmSync(aside!, { recursive: true });
  });

  it('an empty folder is fine', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const ok = await palabre(['restore', good, '--data-dir', empty]);
    expect(ok.code, ok.stderr).toBe(0);
    const files = readdirSync(join(empty, 'files'), { recursive: true }).map(String);
    expect(files.some((f) => f.endsWith(createHash('sha256').update(marker).digest('hex')))).toBe(true);
  });
});

describe('palabre with bad input', () => {
  const usage: [string[], string][] = [
    [[], 'missing_argument'],
    [['sauvegarder'], 'unknown_command'],
    [['backup'], 'missing_argument'],
    [['backup', '--out'], 'missing_argument'],
    [['verify'], 'missing_argument'],
    [['restore', 'x.tar'], 'missing_argument'],
    [['verify', 'x.tar', '--vite'], 'unknown_option'],
  ];
  for (const [args, code] of usage)
    it(`palabre ${args.join(' ') || '(nothing)'}: ${code}, exit 2, with the usage`, async () => {
      const r = await palabre(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error [${code}]`);
      expect(r.stderr).toContain('Usage: npm run palabre');
    });

  it('unreadable files, an existing output and a folder without data: named codes, exit 1', async () => {
    const missing = await palabre(['verify', join(scratch, 'nope.tar')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('error [file_unreadable]')]);
    const folder = await palabre(['verify', scratch]);
    expect(folder.stderr).toContain('error [file_unreadable]');
    const exists = await palabre(['backup', '--out', good, '--data-dir', join(scratch, 'source')]);
    expect([exists.code, exists.stderr]).toEqual([1, expect.stringContaining('error [output_exists]')]);
    const nothing = mkdtempSync(join(scratch, 'nothing-'));
    const noData = await palabre(['backup', '--out', join(scratch, 'none.tar')], { DATA_DIR: nothing });
    expect([noData.code, noData.stderr]).toEqual([1, expect.stringContaining('error [no_database]')]);
    expect(existsSync(join(scratch, 'none.tar'))).toBe(false);
    const postgres = await palabre(
      ['backup', '--out', join(scratch, 'pg.tar'), '--data-dir', join(scratch, 'source')],
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      },
    );
    expect([postgres.code, postgres.stderr]).toEqual([
      1,
      expect.stringContaining('error [unsupported_storage]'),
    ]);
    const json = await palabre(['verify', join(scratch, 'nope.tar'), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'file_unreadable' } });
  });
});
