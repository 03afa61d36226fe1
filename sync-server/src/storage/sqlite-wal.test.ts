/**
 * Compaction cuts the WAL to zero bytes at once when no other connection reads, and, while one
 * does (a backup's snapshot), leaves it for later instead of waiting: once the reader lets go, the
 * WAL is cut without anything else happening.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'palabre-wal-'));
  dirs.push(dir);
  const file = join(dir, 'palabre.sqlite');
  const storage = openSqlite(file);
  const walBytes = () => statSync(`${file}-wal`).size;
  return { file, storage, walBytes };
}

const until = async (check: () => boolean, ms = 10_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('WAL truncation after compaction', () => {
  it('cuts the WAL to zero bytes at once when nobody else reads', async () => {
    const { storage, walBytes } = fixture();
    for (let i = 0; i < 20; i++) await storage.docs.append('d', new Uint8Array(500).fill(i));
    expect(walBytes()).toBeGreaterThan(0);
    await storage.docs.compact('d', new Uint8Array([1, 2, 3]), await storage.docs.version('d'));
    expect(walBytes()).toBe(0);
    await storage.close();
  });

  it('does not wait for a reader holding a snapshot, and cuts the WAL once it lets go', async () => {
    const { file, storage, walBytes } = fixture();
    for (let i = 0; i < 20; i++) await storage.docs.append('d', new Uint8Array(500).fill(i));
    const reader = new Database(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) FROM doc_updates').get(); // the snapshot is now held
    await storage.docs.append('d', new Uint8Array(500).fill(99));
    // With the old blocking checkpoint this call took the whole busy timeout (5 s) and still
    // could not truncate; now it returns at once, the WAL still there.
    await storage.docs.compact('d', new Uint8Array([4, 5, 6]), await storage.docs.version('d'));
    expect(walBytes()).toBeGreaterThan(0);
    reader.exec('COMMIT');
    reader.close();
    await until(() => walBytes() === 0);
    expect((await storage.docs.load('d')).updates).toEqual([new Uint8Array([4, 5, 6])]);
    await storage.close();
  });
});
