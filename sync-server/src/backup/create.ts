/**
 * `palabre backup`: a consistent copy of a data folder while the server runs and writes.
 *
 * Consistency: each SQLite database is copied with `VACUUM INTO` on a connection of this process,
 * which reads inside one read transaction: in WAL mode that is a snapshot of every transaction
 * committed when it began, and the server's writers are never blocked by it. The file store is
 * content-addressed and its files never change, only appear (before the row that names them is
 * committed) and disappear (after the last row that names them is deleted). So every blob the
 * snapshot refers to existed when the snapshot began, and can only have been removed since: to
 * keep it, each blob is hard-linked into a staging folder before the snapshot, and the referenced
 * blobs uploaded meanwhile are linked right after it. A blob both uploaded and removed in that
 * short window makes the whole attempt start again (at most 3 times).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BackupError } from './errors.js';
import {
  blobPath,
  FORMAT,
  FORMAT_VERSION,
  MANIFEST_NAME,
  type BackupManifest,
  type BackupPart,
} from './format.js';
import { fileSha256, rowCounts, syncDir } from './fs-util.js';
import { TarWriter } from './tar.js';

const HASH = /^[0-9a-f]{64}$/;
const ATTEMPTS = 3;

export interface BackupResult {
  file: string;
  size: number;
  sha256: string;
  manifest: BackupManifest;
}

export interface BackupOptions {
  dataDir: string;
  out: string;
  /** Overwrite an existing output file. */
  force?: boolean;
  palabreVersion: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Staging folders of backups whose process died (a crash, a kill) are removed. */
async function sweepStaging(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    const pid = /^\.backup-(\d+)-/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) await rm(join(dataDir, name), { recursive: true, force: true });
  }
}

async function linkBlob(storeDir: string, hash: string, staging: string): Promise<boolean> {
  try {
    await link(join(storeDir, hash.slice(0, 2), hash), join(staging, hash));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return true;
    if (code === 'ENOENT') return false;
    throw err;
  }
}

/** Every blob in the store now, hard-linked into staging (cheap: no byte is copied). */
async function linkAllBlobs(storeDir: string, staging: string): Promise<void> {
  if (!existsSync(storeDir)) return;
  for (const dir of await readdir(storeDir)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of await readdir(join(storeDir, dir)).catch(() => [] as string[]))
      if (HASH.test(name) && name.startsWith(dir)) await linkBlob(storeDir, name, staging);
  }
}

function referencedBlobs(snapshot: string): string[] {
  const db = new Database(snapshot, { readonly: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files'").get();
    if (!has) return [];
    const rows = db
      .prepare<[], { h: string }>(
        'SELECT hash AS h FROM files UNION SELECT preview_hash AS h FROM files WHERE preview_hash IS NOT NULL',
      )
      .all();
    return rows.map((r) => r.h).filter((h) => HASH.test(h));
  } finally {
    db.close();
  }
}

function snapshotDatabase(source: string, dest: string): void {
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(dest);
  } finally {
    db.close();
  }
}

interface Snapshot {
  createdAt: Date;
  databases: { name: string; file: string }[];
  blobs: string[];
}

async function takeSnapshot(dataDir: string, databases: string[], staging: string): Promise<Snapshot> {
  const storeDir = join(dataDir, 'files');
  const blobDir = join(staging, 'blobs');
  for (let attempt = 1; ; attempt++) {
    await rm(staging, { recursive: true, force: true });
    await mkdir(blobDir, { recursive: true });
    await linkAllBlobs(storeDir, blobDir);
    const createdAt = new Date();
    const snaps = databases.map((name) => {
      const file = join(staging, name);
      snapshotDatabase(join(dataDir, name), file);
      return { name, file };
    });
    const main = snaps.find((s) => s.name === 'palabre.sqlite') ?? snaps[0]!;
    const blobs = referencedBlobs(main.file);
    const missing: string[] = [];
    for (const hash of blobs) if (!(await linkBlob(storeDir, hash, blobDir))) missing.push(hash);
    if (missing.length === 0) return { createdAt, databases: snaps, blobs: blobs.sort() };
    if (attempt === ATTEMPTS)
      throw new BackupError(
        'blob_missing',
        `${missing.length} file(s) the database refers to are not in ${storeDir} (first: ${missing[0]})`,
      );
  }
}

async function* hashedChunks(file: string, expected: string, what: string): AsyncGenerator<Buffer> {
  const sha = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    yield chunk as Buffer;
  }
  if (sha.digest('hex') !== expected)
    throw new BackupError(
      'store_corrupt',
      `${what}: its bytes do not match its hash; the file store is damaged`,
    );
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const dataDir = resolve(options.dataDir);
  const out = resolve(options.out);
  if (!existsSync(dataDir)) throw new BackupError('no_database', `no data folder at ${dataDir}`);
  const databases = (await readdir(dataDir)).filter((n) => /^[A-Za-z0-9_-]{1,60}\.sqlite$/.test(n)).sort();
  if (databases.length === 0)
    throw new BackupError('no_database', `no SQLite database (*.sqlite) in ${dataDir}: is DATA_DIR right?`);
  if (existsSync(out) && !options.force)
    throw new BackupError('output_exists', `${out} already exists (--force to replace it)`);
  await mkdir(dirname(out), { recursive: true });

  const staging = join(dataDir, `.backup-${process.pid}-${randomBytes(4).toString('hex')}`);
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  try {
    await sweepStaging(dataDir);
    await mkdir(staging);
  } catch (err) {
    throw new BackupError(
      'data_dir_not_writable',
      `cannot write the staging folder in ${dataDir} (${(err as Error).message}): run as the account that owns the data`,
    );
  }
  try {
    const snap = await takeSnapshot(dataDir, databases, staging);
    const parts: BackupPart[] = [];
    for (const db of snap.databases)
      parts.push({
        path: `data/${db.name}`,
        kind: 'database',
        size: (await stat(db.file)).size,
        sha256: await fileSha256(db.file),
      });
    for (const hash of snap.blobs)
      parts.push({
        path: blobPath(hash),
        kind: 'blob',
        size: (await stat(join(staging, 'blobs', hash))).size,
        sha256: hash,
      });
    const manifest: BackupManifest = {
      format: FORMAT,
      version: FORMAT_VERSION,
      createdAt: snap.createdAt.toISOString(),
      palabreVersion: options.palabreVersion,
      counts: rowCounts(
        snap.databases.find((d) => d.name === 'palabre.sqlite')?.file ?? snap.databases[0]!.file,
      ),
      parts,
    };
    const fh = await open(partial, 'w', 0o600);
    let written: { size: number; sha256: string };
    try {
      const tar = new TarWriter(fh);
      const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      await tar.entry(MANIFEST_NAME, manifestBytes.length, [manifestBytes]);
      for (const part of parts) {
        const file =
          part.kind === 'database'
            ? join(staging, part.path.slice('data/'.length))
            : join(staging, 'blobs', part.sha256);
        await tar.entry(part.path, part.size, hashedChunks(file, part.sha256, part.path));
      }
      written = await tar.end();
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(partial, out);
    await syncDir(dirname(out));
    return { file: out, size: written.size, sha256: written.sha256, manifest };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
