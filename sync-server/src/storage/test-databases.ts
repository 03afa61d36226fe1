/**
 * Fresh databases for tests that run against a real PostgreSQL (TEST_DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/postgres): each call creates a uniquely named database,
 * and drop() removes it with whatever is still connected. PALABRE_NO_POSTGRES=1 (set by
 * scripts/test-all.mjs when no PostgreSQL could be had, with the reason printed) leaves the
 * Postgres suites out instead of letting them fail on a connection error. Also the storages the
 * contract suites open: SQLite in a temporary folder, PostgreSQL on a fresh database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import * as Y from 'yjs';
import { openPostgres, type PostgresStorage } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { Storage } from './types.js';

export const POSTGRES_TESTS = process.env.PALABRE_NO_POSTGRES !== '1';
export const REDIS_TESTS = process.env.PALABRE_NO_REDIS !== '1';

const adminUrl = () => process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = () => process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(): Promise<TestDatabase> {
  const name = `palabre_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A key prefix no other test uses (Redis keys and channels of one test). */
export const freshRedisPrefix = () => `palabre-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

/** Two nodes' storage on one database: what several Palabre processes sharing PostgreSQL see. */
export interface TwoNodes {
  db: TestDatabase;
  a: PostgresStorage;
  b: PostgresStorage;
}

/**
 * For each test of the calling describe: a fresh database and two nodes opening it at the same
 * moment (the schema is created once, neither fails); both closed and the database dropped after.
 */
export function twoNodesOnOneDatabase(): TwoNodes {
  const nodes = {} as TwoNodes;
  beforeEach(async () => {
    nodes.db = await freshDatabase();
    [nodes.a, nodes.b] = await Promise.all([openPostgres(nodes.db.url), openPostgres(nodes.db.url)]);
  });
  afterEach(async () => {
    await Promise.all([nodes.a.close(), nodes.b.close()]);
    await nodes.db.drop();
  });
  return nodes;
}

/** A document as one node stores it: every stored row applied to a fresh Y.Doc. */
export async function rebuilt(storage: PostgresStorage, docId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const u of (await storage.docs.load(docId)).updates) Y.applyUpdate(doc, u);
  return doc;
}

export const messagesOf = (doc: Y.Doc) => doc.getMap('messages').toJSON();

/** A storage opened for one suite, and what closes it and throws its data away. */
export interface TestStorage<S extends Storage = Storage> {
  storage: S;
  close(): Promise<void>;
}

/** SQLite in a new temporary folder (named `prefix`…), removed on close. */
export function tempSqliteStorage(prefix: string): TestStorage {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const storage = openSqlite(join(dir, 'palabre.sqlite'));
  return {
    storage,
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL on a fresh database, dropped on close. */
export async function freshPostgresStorage(): Promise<TestStorage<PostgresStorage>> {
  const db = await freshDatabase();
  const storage = await openPostgres(db.url);
  return {
    storage,
    async close() {
      await storage.close();
      await db.drop();
    },
  };
}

/** What a contract suite opens for one test: the part of a storage it checks, and its close. */
export type Opened<A> = A & { close(): Promise<void> };

/**
 * Runs a contract suite on SQLite in a temporary folder (named `prefix`…) and, when PostgreSQL is
 * there, on a fresh database; `pick` takes from the storage the part the suite checks.
 */
export function onSqliteAndPostgres<A>(
  prefix: string,
  pick: (storage: Storage) => A,
  suite: (name: string, open: () => Promise<Opened<A>>) => void,
): void {
  const opened = ({ storage, close }: TestStorage): Opened<A> => ({ ...pick(storage), close });
  suite('SQLite', async () => opened(tempSqliteStorage(prefix)));
  if (POSTGRES_TESTS) suite('PostgreSQL', async () => opened(await freshPostgresStorage()));
}

/** For each test of the calling describe: `open()`, handed to `use`, then closed after the test. */
export function openForEachTest<A extends { close(): Promise<void> }>(
  open: () => Promise<A>,
  use: (opened: A) => void | Promise<void>,
): void {
  let opened: A;
  beforeEach(async () => {
    opened = await open();
    await use(opened);
  });
  afterEach(() => opened.close());
}
