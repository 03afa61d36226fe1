/**
 * `pnpm bench`: every workload against the reference relay and Palabre in one run, each server
 * in its own child process, then docs/BENCHMARKS.md.
 *
 *   --quick          shorter and smaller, for trying things (report on stdout)
 *   --only=a,b       only these of fanout1, fanout2, catchup, load, memory, validation, coldstart,
 *                    start, search, readstate, upload, purge, backup, cluster
 *                    (report on stdout)
 *   --write          write docs/BENCHMARKS.md even with --quick or --only; with --only, the sections
 *                    of the workloads that ran replace theirs in the existing file, the others stay
 *
 * PALABRE_BENCH_CONFIG (JSON) is merged into the Palabre server's config, e.g.
 * '{"validateUpdates":false}'; BENCH_NODE_ARGS adds node flags to the server children.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ServerChild, killAll } from './children.js';
import { runBackupBench } from './backup.js';
import { runColdStart } from './coldstart.js';
import { runStart } from './start.js';
import { runSearch } from './search/workload.js';
import { measureReadState } from './read-state.js';
import { runUpload } from './upload.js';
import { runPurge } from './purge.js';
import { runCluster } from './cluster.js';
import { log } from './log.js';
import { machine, waitForQuiet } from './machine.js';
import { mergeReport, renderReport, type Results } from './report.js';
import { SCALES, catchUp, fanoutScenarios, load, memory, usersNeeded } from './scenarios.js';
import { palabreStarter, palabreTarget, palabreVariant, referenceTarget, type Target } from './targets.js';

const WORKLOADS = [
  'fanout1',
  'fanout2',
  'catchup',
  'load',
  'memory',
  'validation',
  'coldstart',
  'start',
  'search',
  'readstate',
  'upload',
  'purge',
  'backup',
  'cluster',
] as const;
type Workload = (typeof WORKLOADS)[number];

const args = process.argv.slice(2).filter((a) => a !== '--');
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const unknown = only?.filter((w) => !(WORKLOADS as readonly string[]).includes(w)) ?? [];
if (unknown.length > 0)
  throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.join(', ')}`);
const want = (w: Workload) => !only || only.includes(w);
const write = args.includes('--write') || (!quick && !only);
const scale = quick ? SCALES.quick : SCALES.full;
const palabreConfig: Record<string, unknown> = {
  unloadAfterMs: 1000,
  ...(JSON.parse(process.env.PALABRE_BENCH_CONFIG ?? '{}') as Record<string, unknown>),
};

const dataDir = mkdtempSync(join(tmpdir(), 'palabre-bench-'));
process.on('exit', () => {
  killAll();
  rmSync(dataDir, { recursive: true, force: true });
});
process.setMaxListeners(0); // each WebsocketProvider adds a process 'exit' listener
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

const failures: Results['failures'] = [];

/** Record a workload's failure: the run goes on with the others and exits non-zero at the end. */
function failed(workload: string, target: string, err: unknown): void {
  log(`  FAILED: ${String(err)}`);
  failures.push({ workload, target, error: String(err) });
}

/** Run one workload that brings its own server; a failure is recorded (see failed) and yields null. */
async function attempt<T>(workload: string, target: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    failed(workload, target, err);
    return null;
  }
}

/**
 * A fresh server child for fn, stopped afterwards whatever happens. A workload that fails is
 * recorded (and makes the run exit non-zero) but does not stop the others.
 */
async function withServer<T>(
  workload: string,
  target: Target,
  fn: (child: ServerChild) => Promise<T>,
): Promise<T | null> {
  let child: ServerChild | null = null;
  try {
    child = await target.start();
    return await fn(child);
  } catch (err) {
    failed(workload, target.name, err);
    return null;
  } finally {
    await child?.stop();
  }
}

/**
 * Cost of validation: the validator alone in its own child, then both fan-out workloads against
 * Palabre with validateUpdates on and off, in the order on, off, off, on, ... (each pair of rounds
 * reverses the previous one, so a steady drift of the machine weighs on both settings alike).
 */
async function validation(palabre: Target): Promise<NonNullable<Results['validation']>> {
  const out: NonNullable<Results['validation']> = { micro: [], fanout: [] };
  log('validation: checkUpdate alone');
  let child: ServerChild | null = null;
  try {
    child = await ServerChild.start('validator', 'validator-child.ts');
    out.micro = await child.request('checkCost', scale.validation.micro, 300_000);
    for (const m of out.micro)
      log(
        `  ${m.messages} messages: checkUpdate p50 ${m.check.p50.toFixed(1)} µs, p99 ${m.check.p99.toFixed(1)} µs`,
      );
  } catch (err) {
    failed('validation', 'checkUpdate', err);
  } finally {
    await child?.stop();
  }
  const on = palabreVariant(palabre, 'Validation on', dataDir, { ...palabreConfig, validateUpdates: true });
  const off = palabreVariant(palabre, 'Validation off', dataDir, {
    ...palabreConfig,
    validateUpdates: false,
  });
  for (const f of fanoutScenarios(scale)) {
    const entry: Results['fanout'][number] = { id: f.id, title: f.title, setup: f.setup, runs: [] };
    out.fanout.push(entry);
    for (let round = 1; round <= scale.validation.rounds; round++) {
      for (const target of round % 2 ? [on, off] : [off, on]) {
        log(`validation ${f.id} round ${round}: ${target.name}`);
        const r = await withServer(`validation ${f.id}`, target, (c) => f.run(target, c));
        if (!r) continue;
        log(
          `  p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, ${Math.round(r.deliveriesPerSec)} ` +
            `deliveries/s, CPU server ${r.serverCpu?.toFixed(2)} others ${r.otherCpu?.toFixed(2)}`,
        );
        entry.runs.push({ target: target.name, round, result: r });
      }
    }
  }
  return out;
}

async function main(): Promise<Results> {
  const otherLoadAtStart = await waitForQuiet(60_000);
  const started = performance.now();
  const results: Results = {
    date: new Date().toISOString(),
    machine: machine(),
    command: `pnpm bench${args.length ? ` ${args.join(' ')}` : ''}`,
    durationS: 0,
    otherLoadAtStart,
    palabreConfig,
    fanout: [],
    catchUp: [],
    load: [],
    memory: [],
    validation: null,
    coldStart: null,
    start: null,
    search: null,
    readState: null,
    upload: null,
    purge: null,
    backup: null,
    failures,
  };
  try {
    const users = usersNeeded(scale);
    // The cold start, start and search workloads bring their own server, people and data; readstate is pure CPU.
    const needTargets = WORKLOADS.some(
      (w) =>
        w !== 'coldstart' &&
        w !== 'start' &&
        w !== 'search' &&
        w !== 'readstate' &&
        w !== 'upload' &&
        w !== 'purge' &&
        w !== 'backup' &&
        w !== 'cluster' &&
        want(w),
    );
    if (needTargets) log(`creating and logging in ${users} Palabre users`);
    const targets = needTargets
      ? [referenceTarget(users), await palabreTarget(dataDir, users, palabreConfig)]
      : [];

    for (const f of fanoutScenarios(scale)) {
      if (!want(f.id)) continue;
      const entry: Results['fanout'][number] = { id: f.id, title: f.title, setup: f.setup, runs: [] };
      results.fanout.push(entry);
      // Rounds alternate the servers, so a slow spell of the machine does not hit only one.
      for (let round = 1; round <= scale.rounds; round++) {
        for (const target of targets) {
          log(`${f.id} round ${round}: ${target.name}`);
          const r = await withServer(f.id, target, (child) => f.run(target, child));
          if (!r) continue;
          log(
            `  p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, ${r.delivered}/${r.expected} ` +
              `delivered, CPU cores client ${r.clientCpu.toFixed(2)} server ${r.serverCpu?.toFixed(2)} ` +
              `others ${r.otherCpu?.toFixed(2)}`,
          );
          entry.runs.push({ target: target.name, round, result: r });
        }
      }
    }
    for (const target of targets.filter(() => want('catchup'))) {
      log(`catch-up: ${target.name}`);
      const runs = await withServer('catchup', target, (c) => catchUp(scale, target, c));
      if (runs) results.catchUp.push({ target: target.name, runs });
    }
    for (const target of targets.filter(() => want('load'))) {
      log(`load: ${target.name}`);
      results.load.push(...((await withServer('load', target, (c) => load(scale, target, c))) ?? []));
    }
    const settleMs = Number(palabreConfig.unloadAfterMs) + 1500;
    for (const target of targets.filter(() => want('memory'))) {
      log(`memory: ${target.name}`);
      const result = await withServer('memory', target, (c) => memory(scale, target, c, settleMs));
      if (result) results.memory.push({ target: target.name, messagesEach: scale.memory.messages, result });
    }
    if (want('validation')) results.validation = await validation(targets[1]);
    if (want('readstate')) {
      log('read state: unread, mentions and « Vu » after one new message (10,000 messages, 50 members)');
      results.readState = await attempt('readstate', 'ReadTracker', async () =>
        measureReadState(10_000, 50, scale === SCALES.quick ? 100 : 500),
      );
    }
    if (want('upload')) {
      log('upload: a 25 MB file to Palabre (server RSS growth, time) against a plain copy to disk');
      results.upload = await attempt('upload', 'Palabre', () =>
        runUpload(
          palabreStarter(join(dataDir, 'upload'), palabreConfig),
          join(dataDir, 'upload-work'),
          quick ? 2 : 5,
        ),
      );
    }
    if (want('purge')) {
      log(
        'purge: retention deleting half of a large data folder, fan-out latency of live discussions meanwhile',
      );
      results.purge = await attempt('purge', 'Palabre', () =>
        runPurge(palabreStarter(join(dataDir, 'purge'), palabreConfig), join(dataDir, 'purge')),
      );
    }
    if (want('coldstart')) {
      log(`cold start of the web app (Chromium, ${scale.coldStart.discussions} discussions stored locally)`);
      const start = palabreStarter(join(dataDir, 'coldstart'), {
        ...palabreConfig,
        webRoot: join(ROOT, 'web/build'),
      });
      results.coldStart = await attempt('coldstart', 'Palabre web app', () =>
        runColdStart(scale.coldStart, start),
      );
    }
    if (want('start')) {
      log('start: npm start on a built checkout, restart under load, idle RSS against the reference relay');
      results.start = await attempt('start', 'Palabre', () => runStart(scale.start));
    }
    if (want('search')) {
      const start = palabreStarter(join(dataDir, 'search'), {
        ...palabreConfig,
        webRoot: join(ROOT, 'web/build'),
      });
      results.search = await attempt('search', 'search index', () =>
        runSearch(quick ? 20_000 : 100_000, start),
      );
      if (results.search?.browserError)
        failures.push({ workload: 'search', target: 'Chromium', error: results.search.browserError });
    }
    if (want('backup')) {
      // 1,000 discussions and 1,000,000 messages (--quick: 100 and 100,000).
      const discussions = quick ? 100 : 1000;
      results.backup = await attempt('backup', 'palabre backup', () =>
        runBackupBench({ discussions, messagesEach: 1000 }),
      );
    }
    if (want('cluster')) {
      results.cluster = await attempt('cluster', 'PostgreSQL + Redis', () =>
        runCluster(scale, dataDir, palabreConfig),
      );
      failures.push(...(results.cluster?.failures ?? []));
    }
  } finally {
    killAll();
  }
  results.durationS = (performance.now() - started) / 1000;
  return results;
}

main().then(
  (results) => {
    const markdown = renderReport(results);
    if (write) {
      const file = join(ROOT, 'docs/BENCHMARKS.md');
      // A partial run (--only) replaces only its own sections of the existing report.
      const merged =
        only && existsSync(file)
          ? mergeReport(readFileSync(file, 'utf8'), markdown, results, only)
          : markdown;
      writeFileSync(file, merged);
      log(`wrote docs/BENCHMARKS.md (${Math.round(results.durationS)} s)`);
    } else {
      console.log(markdown);
    }
    process.exit(results.failures.length > 0 ? 1 : 0);
  },
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
