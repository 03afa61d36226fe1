/**
 * Which storage a node uses, from its configuration: DATABASE_URL means PostgreSQL (documents,
 * directory, files and file bytes; several nodes may share it); without it, the embedded
 * default, one SQLite file and a folder of file bytes under DATA_DIR.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFsBlobStore } from './fs-blob-store.js';
import { openSqlite } from './sqlite.js';
import type { BlobStore, Storage } from './types.js';

export interface StorageConfig {
  /** DATABASE_URL: postgres://… ; null or empty for SQLite. */
  databaseUrl?: string | null;
  dataDir: string;
  sqliteSync?: 'NORMAL' | 'FULL';
}

export interface OpenedStorage {
  kind: 'sqlite' | 'postgres';
  storage: Storage;
  blobs: BlobStore;
}

export async function openStorage(config: StorageConfig): Promise<OpenedStorage> {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.databaseUrl) {
    // Loaded only when asked for: a SQLite node never loads the PostgreSQL driver.
    const { openPostgres } = await import('./postgres.js');
    const storage = await openPostgres(config.databaseUrl);
    return { kind: 'postgres', storage, blobs: storage.blobs };
  }
  return {
    kind: 'sqlite',
    storage: openSqlite(join(config.dataDir, 'palabre.sqlite'), config.sqliteSync),
    blobs: createFsBlobStore(join(config.dataDir, 'files')),
  };
}
