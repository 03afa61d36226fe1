/**
 * Fresh databases for tests that run against a real PostgreSQL (TEST_DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/postgres): each call creates a uniquely named database,
 * and drop() removes it with whatever is still connected. PALABRE_NO_POSTGRES=1 (set by
 * scripts/test-all.mjs when no PostgreSQL could be had, with the reason printed) leaves the
 * Postgres suites out instead of letting them fail on a connection error.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
