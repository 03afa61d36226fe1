/**
 * Palabre started exactly as `npm start` starts it (`node scripts/start.mjs`, the compiled server
 * in that very process), and what a supervisor sees of it: the pid that listens on a port, the
 * JSON log lines, the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freshDatabase,
  freshRedisPrefix,
  testRedisUrl,
} from '../../sync-server/src/storage/test-databases.js';
import { removeDataDir } from './helpers.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Service {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start Palabre on a fresh port; `entry` is what node runs (the compiled `sync-server/dist/main.js` also works). */
export async function startService(
  dataDir: string,
  env: Record<string, string> = {},
  entry = 'scripts/start.mjs',
): Promise<Service> {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'admin-password-123',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const lines: Record<string, unknown>[] = [];
  child.stderr!.on('data', (chunk: Buffer) => (text += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const port = await new Promise<number>((resolvePort, reject) => {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += String(chunk);
      pending += String(chunk);
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) {
        if (!part.startsWith('{')) continue;
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (line.event === 'ready') resolvePort(line.port as number);
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`exited on start (${code ?? signal}):\n${text}`)),
    );
  });
  return {
    child,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    output: () => text,
    exited,
  };
}

/**
 * The TCP sockets of /proc/net/tcp{,6} (Linux only): each one's local port, state ('0A' LISTEN,
 * '01' ESTABLISHED), remote address (hex, as the table gives it) and inode.
 */
export function tcpSockets(): { localPort: number; state: string; remote: string; inode: string }[] {
  const sockets = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let rows: string[];
    try {
      rows = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue;
    }
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      sockets.push({
        localPort: parseInt(cols[1].split(':')[1], 16),
        state: cols[3],
        remote: cols[2],
        inode: cols[9],
      });
    }
  }
  return sockets;
}

/** The inodes of the sockets a process holds open (/proc/<pid>/fd); none when it is gone or not ours. */
export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The pids of the processes holding a listening TCP socket on this port. */
export function listeningPids(port: number): number[] {
  const listening = tcpSockets().filter((s) => s.localPort === port && s.state === '0A');
  if (listening.length === 0) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const held = socketInodes(pid);
      return listening.some((s) => held.has(s.inode));
    });
}

/**
 * `count` nodes as processes on a fresh PostgreSQL database and a Redis key prefix of their own,
 * started one after the other (the first creates the schema and the admin; the others would wait
 * for it). `later` registers each one's cleanup: killed if still running, its folder removed.
 */
export async function startNodeProcesses(
  count: number,
  later: (fn: () => Promise<unknown> | unknown) => void,
  redisUrl = testRedisUrl(),
): Promise<Service[]> {
  const db = await freshDatabase();
  later(() => db.drop());
  const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl, PALABRE_REDIS_PREFIX: freshRedisPrefix() };
  const nodes: Service[] = [];
  for (let i = 0; i < count; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'palabre-node-'));
    const node = await startService(dir, env);
    later(async () => {
      if (node.child.exitCode === null && node.child.signalCode === null) {
        node.child.kill('SIGKILL');
        await node.exited;
      }
      removeDataDir(dir);
    });
    nodes.push(node);
  }
  return nodes;
}
