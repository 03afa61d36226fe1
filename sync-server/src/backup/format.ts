/**
 * The backup format, version 1 (ARCHITECTURE.md "Backups"): one tar file whose first entry is
 * `manifest.json`, followed by every part the manifest lists, in its order:
 *   data/<name>.sqlite           each SQLite database of DATA_DIR (a consistent snapshot)
 *   data/files/<2 hex>/<sha256>  each file-store blob the snapshot refers to (its name is its hash)
 * A part's path is where it goes under the restored data folder (without `data/`).
 */
import { BackupError } from './errors.js';

export const FORMAT = 'palabre-backup';
export const FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

export interface BackupPart {
  path: string;
  kind: 'database' | 'blob';
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  /** ISO 8601, when the database snapshot was taken. */
  createdAt: string;
  palabreVersion: string;
  /** Rows in the snapshot, for people reading the manifest (not checked). */
  counts: Record<string, number>;
  parts: BackupPart[];
}

const DATABASE_PATH = /^data\/[A-Za-z0-9_-]{1,60}\.sqlite$/;
const BLOB_PATH = /^data\/files\/([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;
const SHA256 = /^[0-9a-f]{64}$/;

export const blobPath = (hash: string) => `data/files/${hash.slice(0, 2)}/${hash}`;

/** The manifest, checked field by field: paths can only name places inside the data folder. */
export function parseManifest(bytes: Buffer): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupError('backup_corrupt', 'manifest.json is not valid JSON: the backup is damaged');
  }
  const m = value as Partial<BackupManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== FORMAT)
    throw new BackupError('not_a_backup', 'manifest.json does not describe a Palabre backup');
  if (m.version !== FORMAT_VERSION)
    throw new BackupError(
      'unsupported_version',
      `backup format version ${String(m.version)}; this Palabre reads version ${FORMAT_VERSION}`,
    );
  if (typeof m.createdAt !== 'string' || !Array.isArray(m.parts))
    throw new BackupError('backup_corrupt', 'manifest.json lacks createdAt or parts');
  const seen = new Set<string>();
  for (const p of m.parts as Partial<BackupPart>[]) {
    const ok =
      p &&
      typeof p.path === 'string' &&
      typeof p.sha256 === 'string' &&
      SHA256.test(p.sha256) &&
      Number.isSafeInteger(p.size) &&
      (p.size as number) >= 0 &&
      ((p.kind === 'database' && DATABASE_PATH.test(p.path)) ||
        (p.kind === 'blob' && BLOB_PATH.exec(p.path)?.[2] === p.sha256));
    if (!ok)
      throw new BackupError('backup_corrupt', `manifest.json has an invalid part: ${JSON.stringify(p)}`);
    const path = p.path as string;
    if (seen.has(path)) throw new BackupError('backup_corrupt', `manifest.json lists ${path} twice`);
    seen.add(path);
  }
  if (!m.parts.some((p) => p.kind === 'database'))
    throw new BackupError('backup_corrupt', 'manifest.json lists no database');
  return m as BackupManifest;
}
