/**
 * `palabre verify` and `palabre restore`. Restore reads and checks the whole backup into a new
 * folder beside the target (`<DIR>.restoring-<pid>`), and only once everything is verified renames
 * it into place: a corrupt or truncated backup leaves the target exactly as it was. A non-empty
 * target is refused unless forced; forced, it is renamed aside (`<DIR>.replaced-<time>`), not deleted.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { BackupError } from './errors.js';
import { syncDir } from './fs-util.js';
import { readBackup, type ReadResult } from './read.js';

export async function verifyBackup(file: string): Promise<ReadResult> {
  const dest = await mkdtemp(join(tmpdir(), 'palabre-verify-'));
  try {
    return await readBackup(resolve(file), dest, { extractBlobs: false });
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

export interface RestoreResult extends ReadResult {
  dataDir: string;
  /** Where the folder that was there went, when --force replaced a non-empty one. */
  replaced: string | null;
}

async function contents(dir: string): Promise<string[] | null> {
  if (!existsSync(dir)) return null;
  if (!(await stat(dir)).isDirectory())
    throw new BackupError('data_dir_not_empty', `${dir} exists and is not a folder`);
  return readdir(dir);
}

export async function restoreBackup(
  file: string,
  dataDir: string,
  { force = false } = {},
): Promise<RestoreResult> {
  const target = resolve(dataDir);
  const before = await contents(target);
  if (before && before.length > 0 && !force)
    throw new BackupError(
      'data_dir_not_empty',
      `${target} is not empty (${before.length} entries); restore into an empty or new folder, or add --force to replace it (the old folder is kept aside)`,
    );
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o750 });
  let replaced: string | null = null;
  try {
    const result = await readBackup(resolve(file), staging, { extractBlobs: true });
    const now = await contents(target);
    if (now && now.length > 0) {
      if (!force) throw new BackupError('data_dir_not_empty', `${target} is no longer empty`);
      replaced = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(target, replaced);
    } else if (now) {
      await rm(target, { recursive: true });
    }
    try {
      await rename(staging, target);
    } catch (err) {
      if (replaced) await rename(replaced, target);
      throw err;
    }
    await syncDir(parent);
    return { ...result, dataDir: target, replaced };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
