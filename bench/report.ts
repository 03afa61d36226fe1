/** docs/BENCHMARKS.md from a run's results: machine, verdict, tables, and how each number was measured. */
import type { Machine } from './machine.js';
import { summarize, type Summary } from './stats.js';
import { FRAME_KINDS } from './ws.js';
import type { CatchUpResult, FanoutResult, LoadResult, MemoryResult } from './workloads.js';

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
function roundSpread(runs: FanoutRun[], key: 'p50' | 'p99'): number {
  let spread = 0;
  for (const target of [REFERENCE, PALABRE]) {
    const values = runs.filter((r) => r.target === target).map((r) => r.result.latency[key]);
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
  return [
    '## Goal',
    '',
    "Palabre's fan-out p50 and p99 no worse than the reference relay's, while Palabre authenticates every",
    'connection, checks membership, and commits every update to SQLite (WAL) before relaying it.',
    '',
    ...lines,
    '',
    '"Met": both pooled percentiles of Palabre are at or below the reference\'s. "Within noise": Palabre',
    'is higher, but by less than the same server moved between two rounds of this run, so this run',
    'cannot tell the two apart. "Not met": higher by more than that.',
  ].join('\n');
}

function fanoutSection(f: Results['fanout'][number]): string {
  const cores = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  const rows = f.runs.map(({ target, round, result: r }) => [
    target,
    String(round),
    ms(r.latency.p50),
    ms(r.latency.p90),
    ms(r.latency.p99),
    ms(r.latency.max),
    int(r.deliveriesPerSec),
    `${int(r.delivered)} / ${int(r.expected)}`,
    `${r.framesPerDelivery.toFixed(2)} (${FRAME_KINDS.filter((k) => r.framesByKind[k] > 0)
      .map((k) => `${k} ${int(r.framesByKind[k])}`)
      .join(', ')})`,
    int(r.idleFramesPerClientPerSec),
    `${cores(r.clientCpu)} / ${cores(r.serverCpu)} / ${cores(r.otherCpu)}`,
    String(r.closes),
  ]);
  for (const target of [REFERENCE, PALABRE]) {
    const s = pooled(f.runs, target);
    if (s.count > 0)
      rows.push([`**${target}**`, 'all', ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), '', '', '', '', '', '']);
  }
  return [
    `## ${f.title}`,
    '',
    f.setup,
    '',
    table(
      [
        'Server',
        'Round',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'deliveries/s',
        'delivered / expected',
        'frames received per delivery (frames by kind)',
        'idle frames/s per client',
        'CPU cores: clients / server / other processes',
        'closes',
      ],
      rows,
    ),
  ].join('\n');
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
  return [
    '## Catch-up after being offline',
    '',
    'A client syncs, disconnects (provider.disconnect()), another client writes 1,000 messages (one',
    'transaction each); once a third, online client has them all, the first reconnects.',
    '',
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
  ].join('\n');
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
  return [
    '## Loading a discussion',
    '',
    'A fresh client (new Y.Doc, new WebsocketProvider): time from the constructor to its `sync` event,',
    'checked to hold every message. Repeats: the first Palabre cold load reads the history as',
    'stored by the seed (creation update + one big update); after the first unload the server has',
    'compacted it into one snapshot, which is what later cold loads read.',
    '',
    table(['Server', 'Messages', 'Server state', 'Median ms', 'Each repeat (ms)', 'Bytes received'], rows),
  ].join('\n');
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
  return [
    '## Server memory per loaded discussion',
    '',
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
  ].join('\n');
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
\`ServerConfig\`, so "update validation on vs off" is
\`PALABRE_BENCH_CONFIG='{"validateUpdates":false}' pnpm bench -- --only=fanout1\` against the same
without it (validation is on by default). With \`--only\` or \`--quick\` the report goes to stdout
and this file is left alone (\`--write\` writes it anyway). \`BENCH_NODE_ARGS\` adds node flags to
both server children, e.g. \`--cpu-prof --cpu-prof-dir=/tmp/prof\` for a CPU profile of each.`;

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
  return lines.length ? ['## Observations', '', ...lines].join('\n') : '';
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
      ? [
          '## Failed workloads',
          '',
          ...results.failures.map((f) => `- ${f.workload} on ${f.target}: ${f.error}`),
        ].join('\n')
      : '',
    verdictSection(results),
    observations(results),
    ...results.fanout.map(fanoutSection),
    catchUpSection(results),
    loadSection(results),
    memorySection(results),
    METHOD,
    HOOK,
  ];
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}
