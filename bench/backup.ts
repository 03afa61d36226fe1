/**
 * The `backup` workload (`pnpm bench --only=backup`): a data folder of 1,000 discussions and
 * 1,000,000 messages (bench/backup-data.ts) served by the compiled server, four writers posting
 * in four discussions (40 messages a second each, under the per-connection rate limit; together
 * they make the server compact a document every ~3 s, which is what used to wait for the backup's
 * reader), and `palabre backup` run as an admin runs it (node sync-server/dist/cli.js) while they
 * write. Measured: the backup's time and size, and each message's write-to-acknowledgement latency
 * before and during the backup: the longest is the longest pause the backup caused to a writer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  acknowledge,
  addMessage,
  DocSync,
  isPending,
  type LoginResult,
  type ReadCursor,
} from '@palabre/shared';
import { generateBackupData, type GeneratedData } from './backup-data.js';
import { ROOT } from './children.js';
import { sleep } from './clients.js';
import { log } from './log.js';
import { summarize, type Summary } from './stats.js';
import { post } from './http.js';
import { startService } from '../tests/integration/service-process.js';

export interface BackupBench {
  data: GeneratedData;
  databaseMiB: number;
  backupMs: number;
  archiveMiB: number;
  verifyMs: number;
  writers: number;
  ratePerWriter: number;
  idle: Summary;
  during: Summary;
  /** The longest write-to-acknowledgement time of a message written while the backup ran. */
  longestPauseMs: number;
  /** Messages written before the backup ended that were never acknowledged (should be 0). */
  lostAcked: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';

interface Writer {
  doc: Y.Doc;
  sync: DocSync;
  acked: ReadCursor | undefined;
  sent: { id: string; at: number }[];
  latencies: { at: number; ms: number }[];
}

function run(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, stdout: r.stdout };
}

export async function runBackupBench(scale: {
  discussions: number;
  messagesEach: number;
}): Promise<BackupBench> {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const root = mkdtempSync(join(tmpdir(), 'palabre-bench-backup-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  try {
    log(`generating ${scale.discussions} discussions × ${scale.messagesEach} messages into SQLite`);
    const data = await generateBackupData(dataDir, { ...scale, files: 40 }, log);
    const databaseMiB = statSync(join(dataDir, 'palabre.sqlite')).size / 2 ** 20;
    log(`  ${data.rows} rows, ${databaseMiB.toFixed(0)} MiB, in ${(data.ms / 1000).toFixed(0)} s`);

    const server = await startService(dataDir, { ADMIN_PASSWORD }, 'sync-server/dist/main.js');
    const { url, port } = server;
    try {
      const admin = await post<LoginResult>(url, '/api/auth/login', null, {
        username: 'admin',
        password: ADMIN_PASSWORD,
      });
      const WRITERS = 4;
      const RATE = 40;
      const writers: Writer[] = [];
      const colleague = await post<{ user: { id: string } }>(url, '/api/admin/users', admin.token, {
        username: 'collegue',
        displayName: 'Collègue',
        password: 'password123',
      });
      for (let i = 0; i < WRITERS; i++) {
        const { id } = await post<{ id: string }>(url, '/api/discussions', admin.token, {
          memberIds: [colleague.user.id],
          title: `Écriture ${i}`,
        });
        const doc = new Y.Doc();
        const sync = new DocSync(doc, {
          url: `ws://127.0.0.1:${port}/sync/${id}?token=${admin.token}`,
          socket: (to) => new WebSocket(to) as never,
        });
        const w: Writer = { doc, sync, acked: undefined, sent: [], latencies: [] };
        sync.on('ack', (sv) => {
          w.acked = acknowledge(w.acked, sv) ?? w.acked;
          const now = performance.now();
          w.sent = w.sent.filter((s) => {
            if (isPending(w.doc, s.id, w.acked)) return true;
            w.latencies.push({ at: s.at, ms: now - s.at });
            return false;
          });
        });
        sync.connect();
        writers.push(w);
      }
      let writing = true;
      const loops = writers.map(async (w, i) => {
        await sleep((1000 / RATE / WRITERS) * i);
        for (let n = 0; writing; n++) {
          const m = addMessage(w.doc, {
            author: admin.user.id,
            text: `message ${n} ${'x'.repeat(60)}`,
            now: Date.now(),
          });
          w.sent.push({ id: m.id, at: performance.now() });
          await sleep(1000 / RATE);
        }
      });
      await sleep(8000);
      const idleFrom = performance.now() - 6000;
      const out = join(root, 'backup.tar');
      log('backup while 4 writers post 40 messages a second each');
      const t0 = performance.now();
      const backup = await new Promise<number>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['sync-server/dist/cli.js', 'backup', '--out', out, '--data-dir', dataDir],
          {
            cwd: ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        child.once('exit', (code) =>
          code === 0 ? resolve(performance.now() - t0) : reject(new Error(`backup exit ${code}`)),
        );
      });
      const t1 = performance.now();
      await sleep(3000);
      writing = false;
      await Promise.all(loops);
      await sleep(2000);
      const all = writers.flatMap((w) => w.latencies);
      const lostAcked = writers.reduce((n, w) => n + w.sent.filter((s) => s.at < t1).length, 0);
      const idle = all.filter((l) => l.at >= idleFrom && l.at < t0).map((l) => l.ms);
      const during = all.filter((l) => l.at >= t0 && l.at < t1).map((l) => l.ms);
      for (const w of writers) w.sync.destroy();
      log(
        `  backup ${(backup / 1000).toFixed(1)} s; longest acknowledgement during it ${Math.max(...during).toFixed(0)} ms`,
      );
      const verify = run(['sync-server/dist/cli.js', 'verify', out]);
      return {
        data,
        databaseMiB,
        backupMs: backup,
        archiveMiB: statSync(out).size / 2 ** 20,
        verifyMs: verify.ms,
        writers: WRITERS,
        ratePerWriter: RATE,
        idle: summarize(idle),
        during: summarize(during),
        longestPauseMs: Math.max(...during),
        lostAcked,
      };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function backupSection(r: BackupBench | null): string {
  if (!r) return '';
  const ms = (v: number) => `${Math.round(v)} ms`;
  return [
    '## Backup while writers post',
    '',
    `A data folder of ${r.data.discussions.toLocaleString('en')} discussions and ${r.data.messages.toLocaleString('en')} ` +
      `messages (${r.data.rows.toLocaleString('en')} stored updates, ${r.data.files} files of 256 KiB, database ` +
      `${r.databaseMiB.toFixed(0)} MiB), generated straight into SQLite with the shared document functions ` +
      `(bench/backup-data.ts, ${(r.data.ms / 1000).toFixed(0)} s), served by the compiled server; ${r.writers} writers ` +
      `post ${r.ratePerWriter} messages a second each in ${r.writers} discussions (the server compacts one every few ` +
      'seconds); `palabre backup` (node sync-server/dist/cli.js) runs meanwhile (`pnpm bench --only=backup`).',
    '',
    '| | |',
    '| --- | --- |',
    `| backup time | ${(r.backupMs / 1000).toFixed(1)} s |`,
    `| archive | ${r.archiveMiB.toFixed(0)} MiB |`,
    `| verify time | ${(r.verifyMs / 1000).toFixed(1)} s |`,
    `| acknowledgement, before the backup (${r.idle.count} messages) | p50 ${ms(r.idle.p50)}, p99 ${ms(r.idle.p99)}, max ${ms(r.idle.max)} |`,
    `| acknowledgement, during the backup (${r.during.count} messages) | p50 ${ms(r.during.p50)}, p99 ${ms(r.during.p99)}, max ${ms(r.during.max)} |`,
    `| longest pause caused to a writer | **${ms(r.longestPauseMs)}** (goal < 100 ms: ${r.longestPauseMs < 100 ? 'met' : 'not met'}; longest before the backup: ${ms(r.idle.max)}) |`,
    `| messages written before the backup ended and never acknowledged | ${r.lostAcked} |`,
    '',
    r.idle.max >= 100
      ? `The acknowledgements' tail was already over 100 ms before the backup began (p99 ${ms(r.idle.p99)}, max ` +
        `${ms(r.idle.max)}): other work shared the 2 cores during this run, so the goal cannot be judged from it. ` +
        `The backup's own effect is the difference between the two rows: p50 ${ms(r.during.p50 - r.idle.p50)}, ` +
        `max ${ms(r.during.max - r.idle.max)}. Run it again on a quiet machine.`
      : 'The machine was quiet enough: the acknowledgements before the backup stayed under 100 ms.',
  ].join('\n');
}
