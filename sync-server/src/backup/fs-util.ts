/** Small file helpers of the backup commands. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import Database from 'better-sqlite3';

export async function fileSha256(file: string): Promise<string> {
  const sha = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) sha.update(chunk as Buffer);
  return sha.digest('hex');
}

/** fsync a folder, so a rename in it survives a power cut (best effort where not supported). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some filesystems refuse fsync on a folder; the rename itself is still atomic.
  }
}

/** Rows per table of a database (sqlite_* tables left out). */
export function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all();
    const counts: Record<string, number> = {};
    for (const { name } of tables)
      counts[name] = (
        db.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }
      ).n;
    return counts;
  } finally {
    db.close();
  }
}
