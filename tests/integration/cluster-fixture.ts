/**
 * Several Palabre nodes in this process, sharing a fresh PostgreSQL database (TEST_DATABASE_URL
 * or the local default) and one Redis (TEST_REDIS_URL or the local default) under a key prefix
 * of their own; everything is closed and the database dropped after each test. A private
 * redis-server (its own port, nothing saved) can be started for a test that restarts Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import type { ServerConfig } from '@palabre/sync-server';
import {
  freshDatabase,
  freshRedisPrefix,
  testRedisUrl,
  type TestDatabase,
} from '../../sync-server/src/storage/test-databases.js';
import { freePort } from '../free-port.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers.js';

export interface Cluster {
  nodes: TestServer[];
  db: TestDatabase;
  prefix: string;
  redisUrl: string;
  /** Start one more node on the same database and Redis. */
  add(overrides?: Partial<ServerConfig>): Promise<TestServer>;
}

export function useCluster() {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  return {
    defer(fn: () => Promise<unknown> | unknown) {
      cleanups.push(fn);
    },
    async start(count: number, options: { redisUrl?: string } = {}): Promise<Cluster> {
      const db = await freshDatabase();
      cleanups.push(() => db.drop());
      const prefix = freshRedisPrefix();
      const redisUrl = options.redisUrl ?? testRedisUrl();
      const cluster: Cluster = {
        nodes: [],
        db,
        prefix,
        redisUrl,
        async add(overrides = {}) {
          const node = await startTestServer({
            databaseUrl: db.url,
            redisUrl,
            redisPrefix: prefix,
            ...overrides,
          });
          cleanups.push(async () => {
            await node.close().catch(() => undefined);
            removeDataDir(node.dataDir);
          });
          cluster.nodes.push(node);
          return node;
        },
      };
      for (let i = 0; i < count; i++) await cluster.add();
      return cluster;
    },
  };
}

/** A redis-server of our own on its own port, nothing kept on disk: stopped and started at will. */
export async function privateRedis() {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const api = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child!.stdout!.on('data', (chunk: Buffer) => {
          out += String(chunk);
          if (out.includes('Ready to accept connections')) resolve();
        });
        child!.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      });
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await api.start();
  return api;
}
