/**
 * The `start` workload: Palabre as an admin runs it, through `node scripts/start.mjs` (what
 * `npm start` runs) on a checkout already installed and built.
 * - start time: spawn to the first 200 from /api/health, several times on the same data folder;
 * - restart under load: writers keep posting while the server gets SIGTERM and a new process is
 *   started on the same port and folder (what a supervisor does): time to exit, time to healthy
 *   again, time until every writer's messages are acknowledged again, acknowledged messages lost;
 * - idle RSS of Palabre and of the reference relay in the same run, each as compiled JavaScript
 *   run by plain node (and, for the record, each the way it ran before: under tsx).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  acknowledge,
  addMessage,
  DocSync,
  isPending,
  listMessages,
  type LoginResult,
  type ReadCursor,
} from '@palabre/shared';
import { ROOT } from './children.js';
import { log } from './log.js';
import { machineBusyMicros } from './machine.js';
import { median } from './stats.js';
import { post } from './http.js';
import { freePort } from '../tests/free-port.js';

export interface StartResult {
  /** Spawn of `node scripts/start.mjs` to the first 200 from /api/health, ms, each start. */
  startMs: number[];
  /** The server's own startupMs (process start to listening and admin checked), each start. */
  inProcessMs: number[];
  /** SIGTERM to exit, idle server, ms. */
  stopIdleMs: number[];
  restarts: RestartRun[];
  idle: { name: string; how: string; rssMiB: number[] }[];
  /** Cores the whole machine kept busy, on average, while the starts were measured (of `cores`). */
  machineBusyCores: number | null;
}

export interface RestartRun {
  writers: number;
  ratePerWriter: number;
  stopMs: number;
  healthyMs: number;
  /** The new process's own startupMs. */
  inProcessMs: number;
  allAckedMs: number;
  written: number;
  acked: number;
  lost: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
  startupMs: Promise<number>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));

function spawnTracked(args: string[], env: Record<string, string>, ipc = false): Proc {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      running.delete(child);
      done();
    }),
  );
  const startupMs = new Promise<number>((resolve) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += String(chunk);
      const m = /"event":"ready"[^\n]*"startupMs":(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, exited, startupMs };
}

function startPalabre(dataDir: string, port: number): Proc {
  return spawnTracked(['scripts/start.mjs'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
  });
}

async function waitHealthy(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`no 200 from /api/health on ${port}`);
    await sleep(5);
  }
}

async function stop(proc: Proc): Promise<number> {
  const t0 = performance.now();
  proc.child.kill('SIGTERM');
  await proc.exited;
  return performance.now() - t0;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Writer {
  userId: string;
  doc: Y.Doc;
  sync: DocSync;
  acked: ReadCursor | undefined;
}

async function restartUnderLoad(
  dataDir: string,
  port: number,
  writers: number,
  ratePerWriter: number,
): Promise<RestartRun> {
  let server = startPalabre(dataDir, port);
  await waitHealthy(port);
  const url = `http://127.0.0.1:${port}`;
  const admin = await post<LoginResult>(url, '/api/auth/login', null, {
    username: 'admin',
    password: ADMIN_PASSWORD,
  });
  const tag = Math.random().toString(36).slice(2, 8);
  const users: LoginResult[] = [];
  for (let i = 0; i < writers; i++) {
    const username = `w${tag}${i}`;
    await post(url, '/api/admin/users', admin.token, {
      username,
      displayName: username,
      password: 'password123',
    });
    users.push(await post<LoginResult>(url, '/api/auth/login', null, { username, password: 'password123' }));
  }
  const { id } = await post<{ id: string }>(url, '/api/discussions', users[0].token, {
    memberIds: users.slice(1).map((u) => u.user.id),
    title: `Restart ${tag}`,
  });
  const ws: Writer[] = users.map((u) => {
    const doc = new Y.Doc();
    const sync = new DocSync(doc, {
      url: `ws://127.0.0.1:${port}/sync/${id}?token=${u.token}`,
      socket: (to) => new WebSocket(to) as never,
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    const w: Writer = { userId: u.user.id, doc, sync, acked: undefined };
    sync.on('ack', (sv) => (w.acked = acknowledge(w.acked, sv) ?? w.acked));
    sync.connect();
    return w;
  });
  let writing = true;
  let written = 0;
  const loops = ws.map(async (w, i) => {
    await sleep((1000 / ratePerWriter / writers) * i);
    while (writing) {
      addMessage(w.doc, { author: w.userId, text: `message ${written++}`, now: Date.now() });
      await sleep(1000 / ratePerWriter);
    }
  });
  const pendingCount = () =>
    ws.reduce(
      (n, w) =>
        n +
        listMessages(w.doc).filter((m) => m.author === w.userId && isPending(w.doc, m.id, w.acked)).length,
      0,
    );
  const ackedIds = () =>
    ws.flatMap((w) =>
      listMessages(w.doc)
        .filter((m) => m.author === w.userId && !isPending(w.doc, m.id, w.acked))
        .map((m) => m.id),
    );

  await sleep(3000);
  const t0 = performance.now();
  const stopMs = await stop(server);
  // What a supervisor does: start again at once, same port, same folder.
  server = startPalabre(dataDir, port);
  await waitHealthy(port);
  const healthyMs = performance.now() - t0;
  const inProcessMs = await server.startupMs;
  // Back to normal: everything written before and during the restart acknowledged.
  const writtenAtHealthy = written;
  while (ackedIds().length < writtenAtHealthy && performance.now() - t0 < 60_000) await sleep(10);
  const allAckedMs = performance.now() - t0;
  await sleep(1000);
  writing = false;
  await Promise.all(loops);
  const deadline = performance.now() + 20_000;
  while (pendingCount() > 0 && performance.now() < deadline) await sleep(20);
  const acked = ackedIds();
  for (const w of ws) w.sync.destroy();

  // Read back through a fresh client: every acknowledged message must be there.
  const reader = new Y.Doc();
  const sync = new DocSync(reader, {
    url: `ws://127.0.0.1:${port}/sync/${id}?token=${users[0].token}`,
    socket: (to) => new WebSocket(to) as never,
  });
  const synced = new Promise<void>((r) => sync.on('synced', () => r()));
  sync.connect();
  await synced;
  const stored = new Set(listMessages(reader).map((m) => m.id));
  sync.destroy();
  await stop(server);
  return {
    writers,
    ratePerWriter,
    stopMs,
    healthyMs,
    inProcessMs,
    allAckedMs,
    written,
    acked: acked.length,
    lost: acked.filter((m) => !stored.has(m)).length,
  };
}

/**
 * The reference relay as it runs in production: its TypeScript wrapper compiled to JavaScript,
 * the relay package itself (plain JavaScript, with its LevelDB persistence module) and yjs loaded
 * from node_modules by plain node. Written inside bench/ so those packages resolve.
 */
async function compiledReference(): Promise<{ file: string; dir: string }> {
  const require = createRequire(join(ROOT, 'sync-server/package.json'));
  const esbuild = (await import(pathToFileURL(require.resolve('esbuild')).href)) as typeof import('esbuild');
  const dir = join(ROOT, 'bench', `.build-reference-${process.pid}`);
  const file = join(dir, 'reference-server.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench/reference-server.ts')],
    outfile: file,
    bundle: true,
    external: ['@y/websocket-server/utils', 'yjs'],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return { file, dir };
}

/** RSS of a server idle for `settleMs` after it answered once. */
async function idleRss(
  start: () => Proc,
  ready: (p: Proc) => Promise<void>,
  probe: () => Promise<void>,
  settleMs: number,
): Promise<number> {
  const proc = start();
  try {
    await ready(proc);
    await probe();
    await sleep(settleMs);
    return rssMiB(proc.child.pid!);
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
}

export async function runStart(options: {
  starts: number;
  restarts: number;
  writers: number;
  ratePerWriter: number;
  idleRounds: number;
  settleMs: number;
}): Promise<StartResult> {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('pnpm build failed');
  const dir = mkdtempSync(join(tmpdir(), 'palabre-bench-start-'));
  const cleanup = [dir];
  try {
    const result: StartResult = {
      startMs: [],
      inProcessMs: [],
      stopIdleMs: [],
      restarts: [],
      idle: [],
      machineBusyCores: null,
    };
    const dataDir = join(dir, 'data');
    const port = await freePort();
    // First start: creates the database and the admin (not what is measured).
    const first = startPalabre(dataDir, port);
    await waitHealthy(port);
    await stop(first);
    const busyBefore = machineBusyMicros();
    const startsBegan = performance.now();
    for (let i = 0; i < options.starts; i++) {
      const t0 = performance.now();
      const p = startPalabre(dataDir, port);
      await waitHealthy(port);
      result.startMs.push(performance.now() - t0);
      result.inProcessMs.push(await p.startupMs);
      await sleep(200);
      result.stopIdleMs.push(await stop(p));
      log(`  start ${i + 1}: ${result.startMs.at(-1)!.toFixed(0)} ms to healthy`);
    }
    const busyAfter = machineBusyMicros();
    if (busyBefore !== null && busyAfter !== null)
      result.machineBusyCores = (busyAfter - busyBefore) / 1000 / (performance.now() - startsBegan);
    for (let i = 0; i < options.restarts; i++) {
      const r = await restartUnderLoad(dataDir, port, options.writers, options.ratePerWriter);
      result.restarts.push(r);
      log(
        `  restart ${i + 1}: exit ${r.stopMs.toFixed(0)} ms, healthy ${r.healthyMs.toFixed(0)} ms ` +
          `(new process ${r.inProcessMs} ms), ` +
          `all acknowledged ${r.allAckedMs.toFixed(0)} ms after SIGTERM; ${r.acked} acknowledged, ${r.lost} lost`,
      );
    }

    const reference = await compiledReference();
    cleanup.push(reference.dir);
    const palabreProbe = () => fetch(`http://127.0.0.1:${port}/api/health`).then(() => undefined);
    const refReady = (p: Proc) =>
      new Promise<void>((resolve) =>
        p.child.on('message', (m: { ready?: boolean }) => m?.ready && resolve()),
      );
    const variants: { name: string; how: string; run: () => Promise<number> }[] = [
      {
        name: 'Palabre',
        how: '`node scripts/start.mjs` (compiled bundle)',
        run: () =>
          idleRss(
            () => startPalabre(dataDir, port),
            () => waitHealthy(port),
            palabreProbe,
            options.settleMs,
          ),
      },
      {
        name: 'Reference relay',
        how: '`node reference-server.mjs` (its TypeScript compiled by esbuild)',
        run: () =>
          idleRss(
            () => spawnTracked([reference.file], {}, true),
            refReady,
            async () => {},
            options.settleMs,
          ),
      },
      {
        name: 'Palabre, before',
        how: '`node --import tsx sync-server/src/main.ts`',
        run: () =>
          idleRss(
            () =>
              spawnTracked(['--import', 'tsx', 'sync-server/src/main.ts'], {
                PORT: String(port),
                HOST: '127.0.0.1',
                DATA_DIR: dataDir,
                ADMIN_PASSWORD,
              }),
            () => waitHealthy(port),
            palabreProbe,
            options.settleMs,
          ),
      },
      {
        name: 'Reference relay, under tsx',
        how: '`node --import tsx bench/reference-server.ts` (as the other workloads run it)',
        run: () =>
          idleRss(
            () => spawnTracked(['--import', 'tsx', 'bench/reference-server.ts'], {}, true),
            refReady,
            async () => {},
            options.settleMs,
          ),
      },
    ];
    for (const v of variants) result.idle.push({ name: v.name, how: v.how, rssMiB: [] });
    // Rounds alternate the servers, so a busy spell of the machine does not weigh on one only.
    for (let round = 0; round < options.idleRounds; round++) {
      for (const [i, v] of variants.entries()) {
        result.idle[i].rssMiB.push(await v.run());
        log(`  idle RSS round ${round + 1}, ${v.name}: ${result.idle[i].rssMiB.at(-1)!.toFixed(1)} MiB`);
      }
    }
    return result;
  } finally {
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  }
}

const f0 = (v: number) => v.toFixed(0);
const f1 = (v: number) => v.toFixed(1);
const spread = (values: number[], fmt: (v: number) => string) =>
  values.length ? `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})` : '–';

export function startSection(s: StartResult | null): string {
  if (!s) return '';
  const pal = s.idle.find((v) => v.name === 'Palabre')!;
  const ref = s.idle.find((v) => v.name === 'Reference relay')!;
  const startMet = s.startMs.length > 0 && median(s.startMs) < 1000;
  const rssMet = median(pal.rssMiB) <= median(ref.rssMiB);
  const lost = s.restarts.reduce((n, r) => n + r.lost, 0);
  const table = (head: string[], rows: string[][]) =>
    [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  return [
    '## Start and restart',
    '',
    'Palabre started the way `npm start` starts it (`node scripts/start.mjs`: stamps checked, nothing ' +
      'installed or built, the compiled server imported in the same process) on a checkout already ' +
      'installed and built, over a data folder that already has its admin.' +
      (s.machineBusyCores === null
        ? ''
        : ` While the starts were measured the whole machine (${cpus().length} cores, shared with other ` +
          `work) was busy ${s.machineBusyCores.toFixed(2)} cores on average, Palabre's starts ` +
          'included: each start waited for CPU, so these times are upper bounds.'),
    '',
    `- **Start to the first 200 from \`/api/health\` (goal under 1 s; about 10 s before): ${startMet ? 'met' : 'not met'}.** ` +
      `Median ${spread(s.startMs, f0)} ms over ${s.startMs.length} starts; of which in the server process ` +
      `(node start to listening, admin checked) ${spread(s.inProcessMs, f0)} ms.`,
    `- **Idle RSS (goal: at or under the reference relay's, same run): ${rssMet ? 'met' : 'not met'}.** ` +
      `Palabre ${f1(median(pal.rssMiB))} MiB, reference relay ${f1(median(ref.rssMiB))} MiB (medians).`,
    `- **Restart under load:** SIGTERM to exit median ${spread(
      s.restarts.map((r) => r.stopMs),
      f0,
    )} ms; SIGTERM to the new process healthy ${spread(
      s.restarts.map((r) => r.healthyMs),
      f0,
    )} ms; acknowledged messages lost: ${lost}.`,
    '',
    '### Start time',
    '',
    table(
      ['Start', 'spawn to 200 ms', 'in the server process ms', 'SIGTERM to exit (idle) ms'],
      s.startMs.map((v, i) => [String(i + 1), f0(v), f0(s.inProcessMs[i]), f0(s.stopIdleMs[i])]),
    ),
    '',
    '### Restart under load',
    '',
    'Writers (one DocSync client each, as the web app) post to one group discussion at a steady rate; ' +
      'after 3 s the server gets SIGTERM and, as soon as it exited, a new process is started on the ' +
      'same port and data folder. "All acknowledged": every message written before the new process was ' +
      'healthy is acknowledged by the server again (clients reconnect with backoff). "Lost": messages ' +
      'acknowledged at any time and missing from the document read back afterwards.',
    '',
    table(
      [
        'Writers × msg/s',
        'SIGTERM to exit ms',
        'SIGTERM to healthy ms',
        'SIGTERM to all acknowledged ms',
        'written',
        'acknowledged',
        'lost',
      ],
      s.restarts.map((r) => [
        `${r.writers} × ${r.ratePerWriter}`,
        f0(r.stopMs),
        f0(r.healthyMs),
        f0(r.allAckedMs),
        String(r.written),
        String(r.acked),
        String(r.lost),
      ]),
    ),
    '',
    '### Idle memory',
    '',
    'RSS (`VmRSS` from /proc) after the server answered once and then sat idle; rounds alternate the ' +
      'servers. The goal compares the first two rows: both compiled, both on plain node. The last two ' +
      'rows show what running TypeScript through tsx costs.',
    '',
    table(
      ['Server', 'started as', 'RSS MiB, median (min–max)'],
      s.idle.map((v) => [v.name, v.how, spread(v.rssMiB, f1)]),
    ),
  ].join('\n');
}
