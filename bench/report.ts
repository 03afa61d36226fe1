/** docs/BENCHMARKS.md from a run's results: machine, verdict, tables, and how each number was measured. */
import { backupSection, type BackupBench } from './backup.js';
import type { ColdStartResult, OpeningSeries } from './coldstart.js';
import { startSection, type StartResult } from './start.js';
import type { Machine } from './machine.js';
import { summarize, type Summary } from './stats.js';
import { FRAME_KINDS } from './ws.js';
import type { CheckCost } from './validation.js';
import type { ReadStateCost } from './read-state.js';
import { uploadSection, type UploadResult } from './upload.js';
import { purgeSection, type PurgeResult } from './purge.js';
import type { ClusterResults } from './cluster.js';
import { clusterSection } from './cluster-report.js';
import type { CatchUpResult, FanoutResult, LoadResult, MemoryResult } from './workloads.js';
import { searchSection } from './search/report.js';
import type { SearchResults } from './search/workload.js';

export interface FanoutRun {
  target: string;
  round: number;
  result: FanoutResult;
}

export interface Results {
  date: string;
  machine: Machine;
  command: string;
  durationS: number;
  /** CPU cores other processes were using when the run started (null off Linux). */
  otherLoadAtStart: number | null;
  palabreConfig: Record<string, unknown>;
  fanout: { id: string; title: string; setup: string; runs: FanoutRun[] }[];
  catchUp: { target: string; runs: CatchUpResult[] }[];
  load: { target: string; size: number; result: LoadResult }[];
  memory: { target: string; messagesEach: number; result: MemoryResult }[];
  /** Cost of validation: the validator alone, and the fan-out workloads with it on and off. */
  validation: { micro: CheckCost[]; fanout: Results['fanout'] } | null;
  /** Cold start of the web app from local data, in Chromium. */
  coldStart: ColdStartResult | null;
  /** Start time, restart under load and idle RSS (bench/start.ts). */
  start: StartResult | null;
  /** The search index on a generated French corpus, against MiniSearch used naively. */
  search?: SearchResults | null;
  /** Unread, mention and « Vu » computation after one new message (shared/discussion/read-tracker.ts). */
  readState?: ReadStateCost | null;
  /** A 25 MB upload: server memory growth and time, against a plain copy (bench/upload.ts). */
  upload?: UploadResult | null;
  /** Retention purging half of a large data folder, with live fan-out (bench/purge.ts). */
  purge?: PurgeResult | null;
  backup?: BackupBench | null;
  /** One node on SQLite, one on PostgreSQL, two on PostgreSQL + Redis; kill -9 (bench/cluster.ts). */
  cluster?: ClusterResults | null;
  /** Workloads that did not complete: their tables are missing or partial. */
  failures: { workload: string; target: string; error: string }[];
}

const PALABRE = 'Palabre';
const REFERENCE = 'Reference relay';

const ms = (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : '–');
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A report section: its `## ` heading, then blocks (paragraphs, lists, tables) one blank line apart. */
function section(title: string, ...blocks: (string | string[])[]): string {
  return [`## ${title}`, ...blocks.flatMap((b) => ['', ...(typeof b === 'string' ? [b] : b)])].join('\n');
}

/** The columns every fan-out table shares, around the ones a table adds (`middle`). */
const fanoutHead = (lead: string[], middle: string[] = []) => [
  ...lead,
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'max ms',
  'deliveries/s',
  'delivered / expected',
  ...middle,
  'CPU cores: clients / server / other processes',
  'closes',
];

/** Some figures of a summary, each formatted: the cells of a table row. */
const cells = <K extends keyof Summary>(s: Pick<Summary, K>, format: (v: number) => string, keys: K[]) =>
  keys.map((k) => format(s[k]));

const latencyCells = (s: Pick<Summary, 'p50' | 'p90' | 'p99' | 'max'>) =>
  cells(s, ms, ['p50', 'p90', 'p99', 'max']);

/** One round's row of a fan-out table (see fanoutHead). */
function fanoutCells(lead: string[], r: FanoutResult, middle: string[] = []): string[] {
  const cores = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  return [
    ...lead,
    ...latencyCells(r.latency),
    int(r.deliveriesPerSec),
    `${int(r.delivered)} / ${int(r.expected)}`,
    ...middle,
    `${cores(r.clientCpu)} / ${cores(r.serverCpu)} / ${cores(r.otherCpu)}`,
    String(r.closes),
  ];
}

/** The bold "all rounds pooled" row of each target, padded to the table's width. */
function pooledRows(runs: FanoutRun[], targets: string[], lead: (target: string) => string[], width: number) {
  return targets.flatMap((target) => {
    const s = pooled(runs, target);
    if (s.count === 0) return [];
    const cells = [...lead(target), ...latencyCells(s)];
    return [[...cells, ...Array<string>(width - cells.length).fill('')]];
  });
}

function pooled(runs: FanoutRun[], target: string): Summary {
  return summarize(runs.filter((r) => r.target === target).flatMap((r) => r.result.samples));
}

type Outcome = 'met' | 'within noise' | 'not met' | 'no result';

interface Verdict {
  title: string;
  ref: Summary;
  pal: Summary;
  noise: { p50: number; p99: number };
  outcome: Outcome;
}

/** The largest difference between two rounds of the same server, for one percentile. */
function roundSpread(
  runs: FanoutRun[],
  key: 'p50' | 'p99',
  targets: string[] = [REFERENCE, PALABRE],
  pick: (r: FanoutResult) => number = (r) => r.latency[key],
): number {
  let spread = 0;
  for (const target of targets) {
    const values = runs.filter((r) => r.target === target).map((r) => pick(r.result));
    if (values.length > 1) spread = Math.max(spread, Math.max(...values) - Math.min(...values));
  }
  return spread;
}

function verdicts(results: Results): Verdict[] {
  return results.fanout.map((f) => {
    const ref = pooled(f.runs, REFERENCE);
    const pal = pooled(f.runs, PALABRE);
    const noise = { p50: roundSpread(f.runs, 'p50'), p99: roundSpread(f.runs, 'p99') };
    const keys = ['p50', 'p99'] as const;
    const outcome: Outcome = !(pal.count && ref.count)
      ? 'no result'
      : keys.every((k) => pal[k] <= ref[k])
        ? 'met'
        : keys.every((k) => pal[k] - ref[k] <= noise[k])
          ? 'within noise'
          : 'not met';
    return { title: f.title, ref, pal, noise, outcome };
  });
}

function compare(pal: number, ref: number): string {
  const diff = pal - ref;
  const rel = ref > 0 ? ` (${diff >= 0 ? '+' : ''}${Math.round((diff / ref) * 100)} %)` : '';
  return `${ms(pal)} vs ${ms(ref)} ms${rel}`;
}

function verdictSection(results: Results): string {
  const vs = verdicts(results);
  if (vs.length === 0) return '';
  const lines = vs.map(
    (v) =>
      `- **${v.title}: ${v.outcome}.** p50 ${compare(v.pal.p50, v.ref.p50)}, ` +
      `p99 ${compare(v.pal.p99, v.ref.p99)} (Palabre vs reference, all rounds pooled; ` +
      `largest round-to-round spread of one server: p50 ${ms(v.noise.p50)} ms, p99 ${ms(v.noise.p99)} ms).`,
  );
  return section(
    'Goal',
    [
      "Palabre's fan-out p50 and p99 no worse than the reference relay's, while Palabre authenticates every",
      'connection, checks membership, and commits every update to SQLite (WAL) before relaying it.',
    ],
    lines,
    [
      '"Met": both pooled percentiles of Palabre are at or below the reference\'s. "Within noise": Palabre',
      'is higher, but by less than the same server moved between two rounds of this run, so this run',
      'cannot tell the two apart. "Not met": higher by more than that.',
    ],
  );
}

function fanoutSection(f: Results['fanout'][number]): string {
  const head = fanoutHead(
    ['Server', 'Round'],
    ['frames received per delivery (frames by kind)', 'idle frames/s per client'],
  );
  const rows = f.runs.map(({ target, round, result: r }) =>
    fanoutCells([target, String(round)], r, [
      `${r.framesPerDelivery.toFixed(2)} (${FRAME_KINDS.filter((k) => r.framesByKind[k] > 0)
        .map((k) => `${k} ${int(r.framesByKind[k])}`)
        .join(', ')})`,
      int(r.idleFramesPerClientPerSec),
    ]),
  );
  rows.push(...pooledRows(f.runs, [REFERENCE, PALABRE], (t) => [`**${t}**`, 'all'], head.length));
  return section(f.title, f.setup, table(head, rows));
}

function catchUpSection(results: Results): string {
  if (results.catchUp.length === 0) return '';
  const rows = results.catchUp.map(({ target, runs }) => {
    const times = runs.map((r) => r.ms).sort((a, b) => a - b);
    const r = runs[0];
    return [
      target,
      String(r.messages),
      ms(times[Math.floor(times.length / 2)]),
      times.map(ms).join(', '),
      kib(r.bytes),
      String(r.frames),
      kib(r.textBytes),
      `${(r.bytes / r.textBytes).toFixed(2)}×`,
    ];
  });
  return section(
    'Catch-up after being offline',
    [
      'A client syncs, disconnects (provider.disconnect()), another client writes 1,000 messages (one',
      'transaction each); once a third, online client has them all, the first reconnects.',
    ],
    table(
      [
        'Server',
        'Messages',
        'Time to all, median ms',
        'Each repeat (ms)',
        'Bytes received',
        'Frames',
        'Raw text (UTF-8)',
        'Bytes / text',
      ],
      rows,
    ),
  );
}

function loadSection(results: Results): string {
  if (results.load.length === 0) return '';
  const rows = results.load.map(({ target, size, result }) => [
    target,
    int(size),
    result.mode === 'cold'
      ? 'cold: from SQLite, not in memory'
      : target === REFERENCE
        ? 'in memory (it stores nothing: its only equivalent)'
        : 'warm: already in memory',
    ms(result.median),
    result.samples.map(ms).join(', '),
    mib(result.bytes),
  ]);
  return section(
    'Loading a discussion',
    [
      'A fresh client (new Y.Doc, new WebsocketProvider): time from the constructor to its `sync` event,',
      'checked to hold every message. Repeats: the first Palabre cold load reads the history as',
      'stored by the seed (creation update + one big update); after the first unload the server has',
      'compacted it into one snapshot, which is what later cold loads read.',
    ],
    table(['Server', 'Messages', 'Server state', 'Median ms', 'Each repeat (ms)', 'Bytes received'], rows),
  );
}

function memorySection(results: Results): string {
  if (results.memory.length === 0) return '';
  const rows = results.memory.map(({ target, messagesEach, result: r }) => {
    const n = r.discussions;
    const heap = (s: typeof r.baseline) => s.heapUsed + s.external;
    return [
      target,
      `${n} × ${messagesEach}`,
      kib((heap(r.loaded) - heap(r.baseline)) / n),
      kib((r.loaded.rss - r.baseline.rss) / n),
      mib(r.baseline.rss),
      mib(r.loaded.rss),
      kib((heap(r.left) - heap(r.baseline)) / n),
      `${r.stillLoaded} / ${n}`,
    ];
  });
  return section(
    'Server memory per loaded discussion',
    table(
      [
        'Server',
        'Discussions × messages',
        'Heap + external per discussion',
        'RSS per discussion',
        'RSS before',
        'RSS loaded',
        'Heap + external per discussion after all clients left',
        'Still loaded then',
      ],
      rows,
    ),
  );
}

const METHOD = `## How each number was measured

- **Processes.** Each server runs in its own child process (\`node --expose-gc --import tsx\`,
  bench/palabre-server.ts and bench/reference-server.ts), listening on 127.0.0.1, port 0, and
  answering the benchmark over IPC (port, memory, CPU time, seeding). Every client runs in the
  benchmark process (bench/run.ts): a stock y-websocket \`WebsocketProvider\` with its own
  \`Y.Doc\`, the \`ws\` package as WebSocket, \`disableBc: true\`. A fresh child is started for
  each workload, server and round; Palabre's children reuse one temporary DATA_DIR (users and
  sessions are created once), the reference relay starts empty each time.
- **Palabre** is \`startServer\` from @palabre/sync-server with its defaults (SQLite WAL,
  synchronous=NORMAL, compaction every 500 updates) except the config shown above
  (\`unloadAfterMs\` is shortened so the cold-load workload does not wait 30 s per repeat). Every
  client is a real user, created with \`server.auth.createUser\`, logged in through
  \`POST /api/auth/login\`, member of a discussion created through \`POST /api/discussions\`, and
  connects with its session token as the \`token\` URL parameter.
- **Reference relay** is @y/websocket-server 0.1.1's \`setupWSConnection\` on a \`ws\`
  WebSocketServer: no authentication, no storage, documents kept in memory forever. Unlike
  Palabre it also echoes each update back to its sender.
- **Messages** are written with \`addMessage\` from @palabre/shared (one transaction, hence one
  update and one frame, per message), texts of 20 to 140 characters.
- **Fan-out latency**: the writer records \`performance.now()\` under the message id just before
  \`addMessage\`; every other client of the discussion records \`performance.now()\` when the
  message appears in its document (a \`messages\` map observer). Both clocks are the same
  process's, so a latency includes the clients' own queueing. Writers send on a 2 ms timer at
  their rate, staggered evenly; messages of the warm-up are not counted. Percentiles interpolate
  linearly between closest ranks. Deliveries/s counts every delivery received in the measurement
  window; "delivered / expected" covers the messages sent in the window, waited for after
  writing stops.
- **CPU** over the window, in cores: the benchmark process (all clients), the server child
  (its \`process.cpuUsage()\`), and every other process of the machine (/proc/stat minus those two).
  The machine is a virtual one: CPU time the hypervisor gave to other machines (/proc/stat's
  steal) is not counted as any process's; the several-nodes section shows it in its own column.
- **Frames**: every WebSocket frame the clients received during the window, per message
  delivered, then by kind (sync step 1, step 2, update, awareness; Palabre acknowledges a stored
  update with a step 1 to its writer where the reference relay echoes the update back). "Idle
  frames/s per client" is the same count over one second with everyone connected and nobody
  writing, before the warm-up; "closes" counts connections that closed during the workload.
- **Catch-up bytes** are the payloads of the WebSocket frames the reconnecting client received
  (a subclass of \`ws\` counting its \`message\` events: sync step 1 and 2, awareness), from
  \`provider.connect()\` until the last missed message is in its document; framing headers are
  not counted. "Raw text" is the UTF-8 size of the missed messages' text alone, without ids,
  authors or timestamps.
- **Cold load** seeds the discussion through the server child: Palabre's history is built with
  \`addMessage\` (500 messages per Yjs client, merged) and stored with
  \`server.storage.docs.append\` into a discussion created through the API; the child confirms
  \`server.docs.isLoaded(id)\` is false before each cold repeat. The reference relay gets the same
  history applied to its in-memory document.
- **Memory** is the child's \`process.memoryUsage()\` after two \`global.gc()\` calls: before the
  documents are loaded (for the reference: before they are created in it), with one synced client
  per discussion, and after every client has left and the unload delay has passed. It includes
  each connection's socket and awareness. RSS moves in pages and includes SQLite's page cache, so
  heap + external is the steadier number.`;

const HOOK = `## Reusing the workloads

\`runFanout(serverUrl, clients, options)\` in bench/workloads.ts runs the fan-out workload against
any y-websocket URL. The Palabre child spreads the JSON in \`PALABRE_BENCH_CONFIG\` into its
\`ServerConfig\`; \`palabreVariant\` in bench/targets.ts starts the same Palabre (same data, users
and sessions) with another config, which is how "Cost of validation" runs the fan-out workloads
with \`validateUpdates\` on and off (\`pnpm bench -- --only=validation\`). With \`--only\` or
\`--quick\` the report goes to stdout and this file is left alone; \`--write\` writes it anyway,
and with \`--only\` it replaces only the sections of the workloads that ran (the line under the
title says which sections came from such a partial run). \`BENCH_NODE_ARGS\` adds node flags to
the server children, e.g. \`--cpu-prof --cpu-prof-dir=/tmp/prof\` for a CPU profile of each.`;

/** A line on how much other processes used the machine while a section was measured. */
function busy(worstCores: number, cores: number, during: string): string {
  if (worstCores < 0.25) return `Other processes used less than a quarter of a core during ${during}.`;
  return (
    `**Other processes were busy during ${during}** (up to ${worstCores.toFixed(2)} cores of ${cores}, ` +
    'see the "other processes" column): the numbers, tails especially, are inflated for whatever ran ' +
    'at the time.'
  );
}

const VALIDATION_ON = 'Validation on';
const VALIDATION_OFF = 'Validation off';
/** The issue's bound on the cost of validation: 20 % more latency, 20 % fewer deliveries/s. */
const MAX_OVERHEAD = 0.2;

const pct = (value: number, base: number) => {
  if (!(base > 0) || !Number.isFinite(value)) return '–';
  const rel = Math.round(((value - base) / base) * 100);
  return `${rel >= 0 ? '+' : ''}${rel} %`;
};
const rounded = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const us = (v: number) => (Number.isFinite(v) ? (v < 100 ? v.toFixed(1) : int(v)) : '–');

function meanOf(runs: FanoutRun[], target: string, pick: (r: FanoutResult) => number | null): number {
  const values = runs
    .filter((r) => r.target === target)
    .map((r) => pick(r.result))
    .filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

interface OverheadVerdict {
  title: string;
  on: Summary;
  off: Summary;
  rate: { on: number; off: number };
  cpu: { on: number; off: number };
  noise: { p50: number; p99: number; rate: number };
  outcome: Outcome;
}

function overheadVerdicts(fanout: Results['fanout']): OverheadVerdict[] {
  const both = [VALIDATION_ON, VALIDATION_OFF];
  return fanout.map((f) => {
    const on = pooled(f.runs, VALIDATION_ON);
    const off = pooled(f.runs, VALIDATION_OFF);
    const rate = {
      on: meanOf(f.runs, VALIDATION_ON, (r) => r.deliveriesPerSec),
      off: meanOf(f.runs, VALIDATION_OFF, (r) => r.deliveriesPerSec),
    };
    const cpu = {
      on: meanOf(f.runs, VALIDATION_ON, (r) => r.serverCpu),
      off: meanOf(f.runs, VALIDATION_OFF, (r) => r.serverCpu),
    };
    const noise = {
      p50: roundSpread(f.runs, 'p50', both),
      p99: roundSpread(f.runs, 'p99', both),
      rate: roundSpread(f.runs, 'p50', both, (r) => r.deliveriesPerSec),
    };
    const limit = 1 + MAX_OVERHEAD;
    // Latency may grow by 20 %, deliveries/s may drop by 20 %.
    const excess = {
      p50: on.p50 - off.p50 * limit,
      p99: on.p99 - off.p99 * limit,
      rate: rate.off * (1 - MAX_OVERHEAD) - rate.on,
    };
    const keys = ['p50', 'p99', 'rate'] as const;
    const outcome: Outcome = !(on.count && off.count)
      ? 'no result'
      : keys.every((k) => excess[k] <= 0)
        ? 'met'
        : keys.every((k) => excess[k] <= noise[k])
          ? 'within noise'
          : 'not met';
    return { title: f.title, on, off, rate, cpu, noise, outcome };
  });
}

function validationSection(results: Results): string {
  const v = results.validation;
  if (!v) return '';
  const lines: string[] = [
    '## Cost of validation',
    '',
    'The server checks every incoming sync update against the document rules (`checkUpdate` from',
    '@palabre/shared, the table in ARCHITECTURE.md) before applying, storing and relaying it; it is the',
    '`validateUpdates` switch of `ServerConfig` (default true). Goal: under 20 % overhead.',
    '',
  ];
  const verdicts = overheadVerdicts(v.fanout);
  if (verdicts.length) {
    lines.push(
      ...verdicts.map(
        (o) =>
          `- **${o.title}: ${o.outcome}.** p50 ${ms(o.on.p50)} vs ${ms(o.off.p50)} ms (${pct(o.on.p50, o.off.p50)}), ` +
          `p99 ${ms(o.on.p99)} vs ${ms(o.off.p99)} ms (${pct(o.on.p99, o.off.p99)}), deliveries/s ` +
          `${int(o.rate.on)} vs ${int(o.rate.off)} (${pct(o.rate.on, o.rate.off)}); server CPU ` +
          `${o.cpu.on.toFixed(2)} vs ${o.cpu.off.toFixed(2)} cores (${pct(o.cpu.on, o.cpu.off)}). Validation on vs ` +
          `off, rounds pooled; largest round-to-round spread of one setting: p50 ${ms(o.noise.p50)} ms, ` +
          `p99 ${ms(o.noise.p99)} ms.`,
      ),
      '',
      '"Met": with validation on, pooled p50 and p99 are at most 20 % above those with it off and',
      'deliveries/s at most 20 % below. "Within noise": beyond that, but by less than the same setting',
      'moved between two rounds of this run. "Not met": beyond by more than that. Both workloads offer a',
      'fixed load (messages/s), so deliveries/s only drops if the server falls behind; the server CPU',
      'column is where the work of checking shows first.',
      '',
    );
  }
  const others = v.fanout.flatMap((f) => f.runs.map((r) => r.result.otherCpu ?? 0));
  if (others.length) lines.push(busy(Math.max(...others), results.machine.cores, 'the fan-out windows'), '');
  if (v.micro.length) {
    const main = v.micro.find((m) => m.messages === 10_000) ?? v.micro[v.micro.length - 1];
    lines.push(
      '### The validator alone',
      '',
      `One check of a typical one-message update against a discussion of ${int(main.messages)} messages ` +
        `costs **${us(main.check.p50)} µs** at the median and ${us(main.check.p99)} µs at p99 ` +
        `(${int(main.check.count)} calls); applying the same update to the document, which the server does ` +
        `anyway, costs ${us(main.apply.p50)} µs.`,
      '',
      table(
        [
          'Document',
          'State size',
          'Update size',
          'checkUpdate µs: median',
          'p90',
          'p99',
          'max',
          'mean',
          'Y.applyUpdate µs: median',
          'p99',
        ],
        v.micro.map((m) => [
          `${int(m.messages)} messages`,
          m.docBytes < 2 ** 20 ? kib(m.docBytes) : mib(m.docBytes),
          `${Math.round(m.updateBytes)} B`,
          ...cells(m.check, us, ['p50', 'p90', 'p99', 'max', 'mean']),
          ...cells(m.apply, us, ['p50', 'p99']),
        ]),
      ),
      '',
    );
  }
  if (v.fanout.some((f) => f.runs.length)) {
    const head = fanoutHead(['Workload', 'Validation', 'Round']);
    const setting = (target: string) => (target === VALIDATION_ON ? 'on' : 'off');
    const rows = v.fanout.flatMap((f) => {
      const workload = f.title.replace(/^Fan-out: /, '');
      return [
        ...f.runs.map(({ target, round, result }) =>
          fanoutCells([workload, setting(target), String(round)], result),
        ),
        ...pooledRows(
          f.runs,
          [VALIDATION_ON, VALIDATION_OFF],
          (t) => [`**${workload}**`, `**${setting(t)}**`, 'all'],
          head.length,
        ),
      ];
    });
    lines.push('### Fan-out with validation on and off', '', table(head, rows), '');
  }
  lines.push(
    '### How it was measured',
    '',
    '- **Fan-out, on vs off**: the two fan-out workloads above, unchanged (same clients, rates, warm-up',
    '  and window, same real users and discussions created through the API, same latency definition),',
    '  against Palabre only, each round in a fresh server child on the same data folder, started with',
    '  `validateUpdates: true` or `false` spread into its config (`palabreVariant` in bench/targets.ts).',
    '  The order is on, off, then off, on (and so on): each pair of rounds reverses the previous one, so',
    '  a machine getting steadily faster or slower weighs on both settings alike. Overheads compare the',
    '  percentiles of all rounds pooled, deliveries/s and server CPU averaged over rounds.',
    '- **The validator alone** runs in its own child process (bench/validator-child.ts, after a',
    '  `global.gc()`): a discussion document as the server holds it (metadata, three members, the',
    '  history built with `addMessage` as for the load workload, texts of 20 to 140 characters), and',
    "  one member's client that has synced it. The client writes one message per transaction (a",
    '  French chat text of ~55 characters), which gives the update the web app sends for one message;',
    "  the server's side is then timed as the server runs it: `checkUpdate(doc, update, sender)`, then",
    '  `Y.applyUpdate(doc, update)`, each with `performance.now()` around that call alone. The first',
    `  ${int(v.micro[0]?.warmup ?? 0)} updates warm the code up and are not counted; every check accepted its`,
    `  update. The document grows by one message per update while this runs (by ${int((v.micro[0]?.warmup ?? 0) + (v.micro[0]?.check.count ?? 0))}`,
    '  messages in all), which the check does not depend on (compare the rows). The max column is one',
    '  of a handful of slow calls (a trial run had 4 of 5,000 above 0.1 ms): p99 is the figure to read.',
  );
  return lines.join('\n');
}

/** The issue's goal for a cold start: sidebar and open thread on screen within this, offline. */
const COLD_START_GOAL_MS = 300;

type ColdOutcome = 'met' | 'met at the median, not at p90' | 'not met' | 'no result';

function coldOutcome(series: OpeningSeries[], key: 'sidebar' | 'thread'): ColdOutcome {
  if (series.length === 0 || series.some((s) => s[key].count === 0)) return 'no result';
  // An opening where the mark never came counts as a miss.
  const p90s = series.map((s) => (s.incomplete > 0 ? Infinity : s[key].p90));
  if (p90s.every((v) => v < COLD_START_GOAL_MS)) return 'met';
  if (series.every((s) => s[key].p50 < COLD_START_GOAL_MS)) return 'met at the median, not at p90';
  return 'not met';
}

function coldStartSection(results: Results): string {
  const c = results.coldStart;
  if (!c) return '';
  const goalSeries = c.series.filter((s) => s.network === 'offline' && s.mode !== 'new browser');
  const describe = (key: 'sidebar' | 'thread') =>
    goalSeries.map((s) => `${s.mode} median ${ms(s[key].p50)} ms, p90 ${ms(s[key].p90)} ms`).join('; ');
  const relaunch = c.series.find((s) => s.network === 'offline' && s.mode === 'new browser');
  const n = `${int(c.discussions)} discussions × ${int(c.messagesEach)} messages`;
  const lines: string[] = [
    '## Cold start of the web app offline',
    '',
    `Goal: with ${n} stored locally, the sidebar and the open thread on screen in under ` +
      `${COLD_START_GOAL_MS} ms, with the network cut, measured in Chromium.`,
    '',
    `- **Sidebar (${int(c.discussions)} discussion links): ${coldOutcome(goalSeries, 'sidebar')}.** ${describe('sidebar')}.`,
    `- **Open thread (its last message visible): ${coldOutcome(goalSeries, 'thread')}.** ${describe('thread')}.`,
  ];
  if (relaunch)
    lines.push(
      `- Not part of the goal: after a browser restart (new Chromium process, same profile), sidebar ` +
        `median ${ms(relaunch.sidebar.p50)} ms, thread median ${ms(relaunch.thread.p50)} ms.`,
    );
  const reloadS = goalSeries.find((x) => x.mode === 'reload');
  const pageS = goalSeries.find((x) => x.mode === 'new page');
  if (reloadS && pageS && pageS.sidebar.p50 - reloadS.sidebar.p50 > 50) {
    const med = (x: OpeningSeries, pick: (o: OpeningSeries['openings'][number]) => number | null) =>
      summarize(x.openings.map(pick).filter((v): v is number => v !== null)).p50;
    lines.push(
      `- Where a new page loses its ${ms(pageS.sidebar.p50 - reloadS.sidebar.p50)} ms (medians, offline, new page vs ` +
        `reload): the shell arrives as fast (${ms(med(pageS, (o) => o.shell))} vs ${ms(med(reloadS, (o) => o.shell))} ms), ` +
        `the last app file the first screen needs only at ${ms(med(pageS, (o) => o.modules))} ms ` +
        `(reload: ${ms(med(reloadS, (o) => o.modules))} ms), and the sidebar is in the DOM ` +
        `${ms(med(pageS, (o) => o.sidebarDom) - med(pageS, (o) => o.modules))} ms after that ` +
        `(reload: ${ms(med(reloadS, (o) => o.sidebarDom) - med(reloadS, (o) => o.modules))} ms).`,
    );
  }
  lines.push(
    '',
    `"Met": p90 under ${COLD_START_GOAL_MS} ms for both ways of opening (reload, new page); "met at the median": ` +
      'only the medians are. An opening where a mark never came (within 15 s) counts as a miss.',
    '',
  );
  const sync = c.sync;
  const facts = [
    `- **Data**: ${int(c.colleagues + 1)} people; ${n} (${int(c.discussions * c.messagesEach)} messages, French texts of ` +
      `${Math.round(c.avgTextChars)} characters on average), written in ${c.seedS.toFixed(0)} s.`,
    sync.completed
      ? `- **Background sync**: the app copied all ${int(sync.verified)} discussions into IndexedDB within ` +
        `${sync.seconds.toFixed(0)} s of the thread being opened (${mib(sync.idbBytes)} of Yjs updates, checked ` +
        `by decoding them; its own signal agreed for ${int(sync.signalled)} of them).`
      : `- **Background sync did not complete** within ${sync.seconds.toFixed(0)} s: ${int(sync.verified)} of ` +
        `${int(c.discussions)} discussions verified in IndexedDB. The offline openings below ran anyway.`,
    ...sync.notes.map((note) => `- ${note.charAt(0).toUpperCase()}${note.slice(1)}.`),
    `- **Network cut**: ${c.leaks.requests} HTTP responses from the network and ${c.leaks.wsFrames} WebSocket ` +
      'frames reached the pages while offline' +
      (c.leaks.requests + c.leaks.wsFrames === 0 ? ' (none: everything came from the device).' : '.'),
    `- **Web app**: web/build ${c.build.builtByBench ? 'built by this run (`pnpm build`)' : 'as found'}, ` +
      `built ${c.build.builtAt}` +
      (c.build.newerSources.length
        ? `; ${c.build.newerSources.length} file(s) of web/src are newer than that build ` +
          `(${c.build.newerSources.slice(0, 4).join(', ')}${c.build.newerSources.length > 4 ? ', …' : ''}), ` +
          'so this measures the app as last built.'
        : ', newer than every file of web/src.'),
  ];
  const busiest = Math.max(0, ...c.series.flatMap((s) => s.openings.map((o) => o.otherCores ?? 0)));
  lines.push(...facts, '', busy(busiest, results.machine.cores, 'the openings'), '');
  lines.push(
    table(
      [
        'Network',
        'Opened by',
        'Openings',
        'Sidebar on screen: median ms',
        'p90',
        'max',
        'Thread on screen: median ms',
        'p90',
        'max',
        'In the DOM, median ms: sidebar / thread',
        'Shell received / DOMContentLoaded / last app file received / first contentful paint, median ms',
        'Other processes, cores: median / max',
        'Incomplete',
      ],
      c.series.map((s) => {
        const med = (pick: (o: (typeof s.openings)[number]) => number | null) =>
          summarize(s.openings.map(pick).filter((v): v is number => v !== null)).p50;
        return [
          s.network,
          s.mode,
          String(s.openings.length),
          ...cells(s.sidebar, ms, ['p50', 'p90', 'max']),
          ...cells(s.thread, ms, ['p50', 'p90', 'max']),
          `${ms(med((o) => o.sidebarDom))} / ${ms(med((o) => o.threadDom))}`,
          [
            rounded(med((o) => o.shell)),
            rounded(med((o) => o.domContentLoaded)),
            rounded(med((o) => o.modules)),
            rounded(med((o) => o.fcp)),
          ].join(' / '),
          `${med((o) => o.otherCores).toFixed(2)} / ${Math.max(0, ...s.openings.map((o) => o.otherCores ?? 0)).toFixed(2)}`,
          String(s.incomplete),
        ];
      }),
    ),
    '',
    '### How it was measured',
    '',
    "- **Server**: Palabre's real server in a child process (bench/palabre-server.ts, its own fresh data",
    '  folder, `webRoot` = web/build; the run builds the app with `pnpm build` first if web/build is',
    '  missing). Users are created with `server.auth.createUser` and log in through the API; the',
    '  discussions are created through `POST /api/discussions` (one direct discussion per colleague, groups',
    '  of 2 to 4 colleagues for the rest); each member then writes their share of the messages over the',
    "  sync socket in one transaction (so every message passed the server's checks), with timestamps",
    '  7 minutes apart, ending 47 minutes apart from one discussion to the next; the user reads everything.',
    "- **Browser**: Debian's Chromium through Playwright (`chromium.launchPersistentContext`, headless,",
    '  `--no-sandbox --disable-gpu --disable-background-networking --disable-component-update',
    '  --disable-sync --no-first-run`, 1280×800, fr-FR). The user signs in through the login form and',
    '  opens the most recent discussion from the sidebar. The app then copies every discussion in the',
    '  background; the run waits until every `palabre:<user>:<discussion>` database holds all the',
    "  messages (its y-indexeddb updates are read in the page and decoded with Yjs; the app's own",
    `  signal, the synced version in localStorage, says when to look), at most ${Math.round(c.sync.timeoutS)} s.`,
    '- **Openings**: `context.setOffline(true)` (checked: `navigator.onLine` is false in every opened page),',
    "  then `page.reload()` (the open thread's address), then closing the page and opening `/` in a new page",
    '  of the same browser (the app goes to the discussion open last time: the real "opening Palabre"),',
    '  then closing the whole browser and launching it again on the same profile; then the network is',
    '  back and reload and new page are measured again. Each series starts with one opening that is not',
    '  counted; 0.7 s pass between openings.',
    '- **Marks**: an init script (`page.addInitScript`) runs in every page before the app, watching the DOM',
    '  (MutationObserver, and every animation frame for scrolling). "In the DOM": the moment the sidebar',
    `  (\`aside\` « Discussions ») holds ${int(c.discussions)} discussion links, and the moment the thread's \`role=log\``,
    "  « Messages » shows an article with the last message's text (a text no other message has) inside",
    '  its visible area. "On screen": the first task after the next animation frame, i.e. once that',
    '  frame is rendered. All are `performance.now()` in the page: milliseconds since the navigation',
    '  started, so they include loading the shell and scripts from the service worker. The column',
    '  "Shell received / …" is the navigation\'s own timing (`responseEnd` of the shell page, which the',
    '  service worker answers from its cache, network or not; `domContentLoadedEventEnd`), the latest',
    "  `responseEnd` among the app's files (`/_app/…`) requested before the sidebar was in the DOM",
    "  (resource timing), and the browser's first-contentful-paint entry.",
  );
  return lines.join('\n');
}

/** Largest value of pick over one server's rounds of a fan-out workload. */
function worst(f: Results['fanout'][number], target: string, pick: (r: FanoutResult) => number): number {
  const values = f.runs.filter((r) => r.target === target).map((r) => pick(r.result));
  return values.length ? Math.max(...values) : 0;
}

/** Data-driven remarks: traffic Palabre sends that the reference relay does not. */
function observations(results: Results): string {
  const lines: string[] = [];
  for (const f of results.fanout) {
    const idlePal = worst(f, PALABRE, (r) => r.idleFramesPerClientPerSec);
    const idleRef = worst(f, REFERENCE, (r) => r.idleFramesPerClientPerSec);
    if (idlePal >= 10 && idlePal >= 10 * Math.max(1, idleRef)) {
      lines.push(
        `- ${f.title}: with everyone connected and nobody writing, each Palabre client received up to ` +
          `${int(idlePal)} frames/s (reference relay: ${int(idleRef)}): a message answered by a message ` +
          'without end, such as an acknowledgement (sync step 1) that the stock client answers with a step 2 ' +
          'which is acknowledged in turn.',
      );
    }
    const awPal = worst(f, PALABRE, (r) => r.framesByKind.awareness);
    const awRef = worst(f, REFERENCE, (r) => r.framesByKind.awareness);
    if (awPal >= 1000 && awPal >= 5 * Math.max(1, awRef)) {
      lines.push(
        `- ${f.title}: Palabre's clients received ${int(awPal)} awareness frames during one measurement ` +
          `window, the reference relay's ${int(awRef)}. Every client renews its awareness state every 15 s, ` +
          'and a stock y-websocket client re-broadcasts every awareness change it receives (its handler does ' +
          'not look at the origin). A server that relays each awareness frame as received to every other ' +
          'connection therefore gets each change echoed back by the n − 1 others and relays each echo to ' +
          'n − 2 more: on the order of n² frames per change. The reference relay forwards only what its own ' +
          "Awareness instance accepted as new (its 'update' event), so echoes stop at the server. The burst " +
          'is what the p99 and max columns show.',
      );
    }
  }
  return lines.length ? section('Observations', lines) : '';
}

/** Other processes share this machine's cores: say so when they used a noticeable share. */
function contention(results: Results): string {
  const others = results.fanout.flatMap((f) => f.runs.map((r) => r.result.otherCpu ?? 0));
  const worst = Math.max(results.otherLoadAtStart ?? 0, ...others);
  if (worst < 0.25) return 'Other processes used less than a quarter of a core during the fan-out windows.';
  return (
    `**Other processes were busy during this run** (up to ${worst.toFixed(2)} cores of ${results.machine.cores}, ` +
    'see the "other processes" CPU column): latencies, tails especially, are inflated for whichever ' +
    'server ran at the time. Re-run on a quiet machine before drawing fine conclusions.'
  );
}

function readStateSection(results: Results): string {
  const r = results.readState;
  if (!r) return '';
  const us = (v: number) => `${Math.round(v)} µs`;
  const row = (name: string, s: Summary) => [name, ...cells(s, us, ['p50', 'p90', 'p99', 'mean'])];
  return [
    '## Unread, mentions and « Vu » after one new message',
    '',
    `A discussion of ${int(r.messages)} messages and ${r.members} members (every member has a read cursor, one ` +
      `message in ten mentions the reader), then ${r.updates} new messages by others, one update each ` +
      '(`pnpm bench -- --only=readstate`, pure CPU in the benchmark process). Per new message: applying the ' +
      'update alone; applying it with the `ReadTracker` observing and then reading unread count, mention ' +
      'count, first unread message and « Vu » of my last message; and the same four answers by rescanning ' +
      'the document (what the app did before). The tracker and the rescan are checked to agree on every update.',
    '',
    table(
      ['per new message', 'p50', 'p90', 'p99', 'mean'],
      [
        row('Y.applyUpdate alone', r.applyAlone),
        row('Y.applyUpdate + ReadTracker + the four answers', r.applyTracked),
        row('full rescan for the four answers', r.rescan),
      ],
    ),
    '',
    `Goal: under 1 ms per update, incremental. ${
      r.applyTracked.p50 < 1000 ? 'Met' : 'Not met'
    }: the tracker's own share is the difference of the first two lines (${us(
      Math.max(0, r.applyTracked.p50 - r.applyAlone.p50),
    )} at p50), against ${us(r.rescan.p50)} for a rescan. Other helpers' work shared the 2 cores during ` +
      'this run, which inflates the tails.',
  ].join('\n');
}

export function renderReport(results: Results): string {
  const m = results.machine;
  const sections = [
    '# Benchmarks',
    '',
    `Generated by \`${results.command}\` on ${results.date} in ${Math.round(results.durationS)} s. ` +
      'Do not edit by hand: run `pnpm bench` again.',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}. ` +
      'Everything over loopback (127.0.0.1).',
    '',
    `Palabre config for this run: \`${JSON.stringify(results.palabreConfig)}\`.`,
    contention(results),
    results.failures.length
      ? section(
          'Failed workloads',
          results.failures.map((f) => `- ${f.workload} on ${f.target}: ${f.error.split('\n')[0]}`),
        )
      : '',
    verdictSection(results),
    observations(results),
    ...results.fanout.map(fanoutSection),
    catchUpSection(results),
    loadSection(results),
    memorySection(results),
    validationSection(results),
    coldStartSection(results),
    startSection(results.start),
    searchSection(results.search, results.otherLoadAtStart, results.machine.cores),
    readStateSection(results),
    uploadSection(results.upload, results.machine, results.otherLoadAtStart),
    purgeSection(results.purge, results.machine, results.otherLoadAtStart),
    backupSection(results.backup ?? null),
    clusterSection(results.cluster, results),
    METHOD,
    HOOK,
  ];
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}

// --- Partial runs -----------------------------------------------------------------------------

interface Part {
  /** The `## ` heading, null for what comes before the first one. */
  heading: string | null;
  text: string;
}

function splitParts(markdown: string): Part[] {
  const parts: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    if (!fence && line.startsWith('## ')) parts.push({ heading: line.slice(3).trim(), lines: [line] });
    else parts[parts.length - 1].lines.push(line);
  }
  return parts.map((p) => ({ heading: p.heading, text: p.lines.join('\n').trim() }));
}

/** Where a section goes in the report, by how its heading starts; unknown headings go just before the method. */
const ORDER = [
  'Failed workloads',
  'Goal',
  'Observations',
  'Fan-out',
  'Catch-up',
  'Loading',
  'Server memory',
  'Cost of validation',
  'Cold start',
  'Start and restart',
  'Search',
  'Unread, mentions',
  'Upload of',
  'Purge of',
  'How each number was measured',
  'Reusing the workloads',
];
const rank = (heading: string) => {
  const i = ORDER.findIndex((start) => heading.startsWith(start));
  return i < 0 ? ORDER.length - 2.5 : i;
};

/** Sections that gather one bullet per workload: merged bullet by bullet. */
const GATHERING = new Set(['Failed workloads', 'Goal', 'Observations']);

/** Replace the bullets of `old` that `owned` claims with those of `fresh` (null: none left). */
function mergeBullets(old: string, fresh: string | null, owned: (line: string) => boolean): string | null {
  const bullets = (text: string) => text.split('\n').filter((l) => l.startsWith('- '));
  const added = fresh ? bullets(fresh) : [];
  const out: string[] = [];
  let placed = false;
  for (const line of bullets(old)) {
    if (!owned(line)) out.push(line);
    else if (!placed) {
      out.push(...added);
      placed = true;
    }
  }
  if (!placed) out.push(...added);
  if (out.length === 0) return null;
  const lines = (fresh ?? old).split('\n');
  const first = lines.findIndex((l) => l.startsWith('- '));
  if (first < 0) return fresh ?? old;
  let last = first;
  while (last + 1 < lines.length && lines[last + 1].startsWith('- ')) last++;
  lines.splice(first, last - first + 1, ...out);
  return lines.join('\n');
}

const PARTIAL = /^Partial run `[^`]*` on \S+ \(\d+ s\) regenerated the sections of: (.+)\.$/;

/**
 * The existing report with the sections of the workloads in `only` replaced by those of `fresh`
 * (a report rendered from a run of just those workloads): other sections stay as they were,
 * sections new to the file are placed in the usual order, and gathering sections (goal,
 * observations, failures) keep the bullets of workloads that did not run. The preamble stays,
 * with one line saying which sections came from this partial run.
 */
export function mergeReport(existing: string, fresh: string, results: Results, only: string[]): string {
  const old = splitParts(existing);
  const neu = splitParts(fresh);
  const titles = results.fanout.map((f) => f.title);
  const owned = (line: string) =>
    titles.some((t) => line.startsWith(`- **${t}:`) || line.startsWith(`- ${t}:`)) ||
    only.includes(/^- (\S+)/.exec(line)?.[1] ?? '');

  const stamp =
    `Partial run \`${results.command}\` on ${results.date} (${Math.round(results.durationS)} s) ` +
    `regenerated the sections of: ${only.join(', ')}.`;
  // Earlier partial runs keep their line for the sections this run did not regenerate.
  const preamble = (old[0]?.text ?? '').split('\n\n').flatMap((paragraph) => {
    const match = PARTIAL.exec(paragraph.trim());
    if (!match) return [paragraph];
    const left = match[1].split(', ').filter((w) => !only.includes(w));
    if (left.length === 0) return [];
    const start = paragraph.lastIndexOf(match[1]);
    return [`${paragraph.slice(0, start)}${left.join(', ')}.`];
  });
  const at = preamble.findIndex((p) => p.startsWith('Generated by'));
  preamble.splice(at < 0 ? preamble.length : at + 1, 0, stamp);

  const merged: Part[] = [{ heading: null, text: preamble.join('\n\n') }];
  const fresher = new Map(neu.filter((p) => p.heading).map((p) => [p.heading, p]));
  for (const part of old.slice(1)) {
    const heading = part.heading as string;
    const replacement = fresher.get(heading);
    fresher.delete(heading);
    if (GATHERING.has(heading)) {
      const text = mergeBullets(part.text, replacement?.text ?? null, owned);
      if (text) merged.push({ heading, text });
    } else merged.push(replacement ?? part);
  }
  for (const part of fresher.values()) {
    const r = rank(part.heading as string);
    const i = merged.findIndex((m, j) => j > 0 && rank(m.heading as string) > r);
    merged.splice(i < 0 ? merged.length : i, 0, part);
  }
  return `${merged.map((p) => p.text).join('\n\n')}\n`;
}
