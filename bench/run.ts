/**
 * `pnpm bench`: every workload against the reference relay and Palabre in one run, each server
 * in its own child process, then docs/BENCHMARKS.md.
 *
 *   --quick          shorter and smaller, for trying things (report on stdout)
 *   --only=a,b       only these of fanout1, fanout2, catchup, load, memory (report on stdout)
 *   --write          write docs/BENCHMARKS.md even with --quick or --only
 *
 * PALABRE_BENCH_CONFIG (JSON) is merged into the Palabre server's config, e.g.
 * '{"validateUpdates":false}'; BENCH_NODE_ARGS adds node flags to the server children.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, killAll, type ServerChild } from './children.js';
import { log } from './log.js';
import { machine, waitForQuiet } from './machine.js';
import { renderReport, type Results } from './report.js';
import { SCALES, catchUp, fanoutScenarios, load, memory, usersNeeded } from './scenarios.js';
import { palabreTarget, referenceTarget, type Target } from './targets.js';

const WORKLOADS = ['fanout1', 'fanout2', 'catchup', 'load', 'memory'] as const;
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
    log(`  FAILED: ${String(err)}`);
    failures.push({ workload, target: target.name, error: String(err) });
    return null;
  } finally {
    await child?.stop();
  }
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
    failures,
  };
  try {
    const users = usersNeeded(scale);
    log(`creating and logging in ${users} Palabre users`);
    const targets = [referenceTarget(users), await palabreTarget(dataDir, users, palabreConfig)];

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
      writeFileSync(join(ROOT, 'docs/BENCHMARKS.md'), markdown);
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
