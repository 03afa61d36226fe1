/**
 * Reading a backup, checking everything before anything is trusted: the manifest comes first, then
 * each part must follow in the manifest's order with its size and SHA-256; the file must end with
 * the tar's closing blocks (a truncated file is caught wherever it was cut); each database must pass
 * `PRAGMA integrity_check`; every blob the database refers to must be in the backup.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupError } from './errors.js';
import { MANIFEST_NAME, parseManifest, type BackupManifest } from './format.js';
import { readTar } from './tar.js';

const MAX_MANIFEST_BYTES = 256 << 20;

export interface ReadResult {
  manifest: BackupManifest;
  archiveSize: number;
  databases: number;
  blobs: number;
  bytes: number;
}

async function openBackup(file: string) {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    return { fh: await open(file, 'r'), size: info.size };
  } catch (err) {
    throw new BackupError('file_unreadable', `cannot read ${file}: ${(err as Error).message}`);
  }
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Read and check the whole backup. Databases are written under `dest` (at their path without
 * `data/`), blobs too when `extractBlobs`; otherwise blobs are only hashed.
 */
export async function readBackup(
  file: string,
  dest: string,
  { extractBlobs }: { extractBlobs: boolean },
): Promise<ReadResult> {
  const { fh, size } = await openBackup(file);
  try {
    if (size === 0) throw new BackupError('backup_truncated', `${file} is empty`);
    const entries = readTar(fh, size);
    const first = await entries.next().catch((err: unknown) => {
      // A file that is not a tar at all fails its first header check.
      if (err instanceof BackupError && err.code === 'backup_corrupt')
        throw new BackupError('not_a_backup', `${file} is not a Palabre backup (not a tar file)`);
      throw err;
    });
    if (first.done || first.value.name !== MANIFEST_NAME)
      throw new BackupError('not_a_backup', `${file} is not a Palabre backup (no manifest.json first)`);
    if (first.value.size > MAX_MANIFEST_BYTES)
      throw new BackupError('backup_corrupt', 'manifest.json is implausibly large');
    const manifest = parseManifest(await collect(first.value.body));

    let index = 0;
    let bytes = 0;
    for await (const entry of entries) {
      const part = manifest.parts[index];
      if (!part)
        throw new BackupError('backup_corrupt', `unexpected entry ${entry.name} after the last listed part`);
      if (entry.name !== part.path)
        throw new BackupError('backup_corrupt', `entry ${entry.name} found where ${part.path} was expected`);
      if (entry.size !== part.size)
        throw new BackupError(
          'backup_corrupt',
          `${part.path}: ${entry.size} bytes in the archive, ${part.size} in the manifest`,
        );
      const keep = part.kind === 'database' || extractBlobs;
      const target = join(dest, part.path.slice('data/'.length));
      const sha = createHash('sha256');
      let out = null;
      if (keep) {
        await mkdir(dirname(target), { recursive: true });
        out = await open(target, 'wx', 0o600);
      }
      try {
        for await (const chunk of entry.body) {
          sha.update(chunk);
          if (out) await out.write(chunk);
        }
        if (out) await out.sync();
      } finally {
        await out?.close();
      }
      if (sha.digest('hex') !== part.sha256)
        throw new BackupError(
          'backup_corrupt',
          `${part.path}: its SHA-256 differs from the manifest's: the backup is damaged`,
        );
      bytes += part.size;
      index++;
    }
    if (index < manifest.parts.length)
      throw new BackupError(
        'backup_truncated',
        `${manifest.parts.length - index} of ${manifest.parts.length} parts are missing (first: ${manifest.parts[index]!.path}): the backup is truncated`,
      );

    const databases = manifest.parts.filter((p) => p.kind === 'database');
    const blobs = new Set(manifest.parts.filter((p) => p.kind === 'blob').map((p) => p.sha256));
    for (const part of databases)
      checkDatabase(join(dest, part.path.slice('data/'.length)), part.path, blobs);
    return { manifest, archiveSize: size, databases: databases.length, blobs: blobs.size, bytes };
  } finally {
    await fh.close();
  }
}

/** SQLite's integrity check, and every blob the database refers to present in the backup. */
function checkDatabase(file: string, path: string, blobs: Set<string>): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true });
  } catch (err) {
    throw new BackupError('backup_corrupt', `${path} cannot be opened by SQLite: ${(err as Error).message}`);
  }
  try {
    let missing: { h: string }[];
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
      if (problems.length > 0)
        throw new BackupError(
          'backup_corrupt',
          `${path} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`,
        );
      const hasFiles = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files'")
        .get();
      missing = hasFiles
        ? db
            .prepare<[], { h: string }>(
              'SELECT hash AS h FROM files UNION SELECT preview_hash AS h FROM files WHERE preview_hash IS NOT NULL',
            )
            .all()
            .filter((r) => !blobs.has(r.h))
        : [];
    } catch (err) {
      if (err instanceof BackupError) throw err;
      throw new BackupError(
        'backup_corrupt',
        `${path} fails SQLite's integrity check: ${(err as Error).message}`,
      );
    }
    if (missing.length > 0)
      throw new BackupError(
        'backup_incomplete',
        `${missing.length} file(s) that ${path} refers to are not in the backup (first: ${missing[0]!.h})`,
      );
  } finally {
    db.close();
  }
}
