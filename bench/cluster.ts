/**
 * `pnpm bench --only=cluster`: Palabre on several nodes (PostgreSQL + Redis) against one node, in
 * one run. The fan-out workloads of scenarios.ts on one node on SQLite, one node on PostgreSQL,
 * and two nodes on PostgreSQL + Redis with the clients of every discussion split between them
 * (a third node, serving one idle client of another discussion, has its CPU time read beside
 * theirs); then kill -9 of a node under load (cluster-kill.ts).
 *
 * The PostgreSQL database is created for the run and dropped after it (TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres for the server to create it on); Redis is
 * TEST_REDIS_URL or redis://127.0.0.1:6379, under a key prefix of this run's own. The users and
 * their sessions are created once on SQLite and copied into PostgreSQL with migrate-to-postgres.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { migrateToPostgres } from '../sync-server/src/storage/migrate-to-postgres.js';
import { freshDatabase, testRedisUrl } from '../sync-server/src/storage/test-databases.js';
import type { ServerChild } from './children.js';
import { closeClient, openClient, sleep, waitSynced } from './clients.js';
import { runKill, type KillResult } from './cluster-kill.js';
import { log } from './log.js';
import { fanoutScenarios, usersNeeded, type Placement, type Scale } from './scenarios.js';
import { palabreStarter, palabreTarget, type Target } from './targets.js';
import { summarize } from './stats.js';
import type { FanoutResult } from './workloads.js';

export const ONE_SQLITE = 'SQLite, 1 node';
export const ONE_POSTGRES = 'PostgreSQL, 1 node';
export const TWO_NODES = 'PostgreSQL + Redis, 2 nodes';

export interface ClusterFanoutRun {
  config: string;
  result: FanoutResult;
  /** Two nodes: CPU (cores) over the window of each serving node, and of the third node. */
  nodeCpu?: number[];
  thirdCpu?: number;
  /** The third node's CPU (cores) over as long a window before any client wrote. */
  thirdIdleCpu?: number;
}

export interface ClusterResults {
  /** Rounds pooled per configuration (each round runs the three configurations in turn). */
  rounds: number;
  fanout: {
    id: string;
    title: string;
    setup: string;
    /** Each configuration's rounds pooled: latency over every round's samples, CPU averaged. */
    runs: ClusterFanoutRun[];
    /** Each round's p99 (ms) per configuration, in the order the rounds ran. */
    roundP99: Record<string, number[]>;
  }[];
  kill: KillResult | null;
  failures: { workload: string; target: string; error: string }[];
}

/** Shorter windows than the fan-out workloads' own, so the whole comparison takes ~3 minutes. */
function clusterScale(scale: Scale): Scale {
  const shorten = <T extends { warmupMs: number; measureMs: number }>(s: T): T => ({
    ...s,
    warmupMs: Math.min(s.warmupMs, 2000),
    measureMs: Math.min(s.measureMs, 8000),
  });
  return { ...scale, fanout1: shorten(scale.fanout1), fanout2: shorten(scale.fanout2) };
}

/** Reads the CPU time of every node each time the workload reads "the server's". */
function cpuProbe(nodes: ServerChild[]) {
  const readings: number[][] = [];
  const request = (async () => {
    const each = await Promise.all(nodes.map((n) => n.request('cpu', {})));
    readings.push(each.map((r) => r.micros));
    return { micros: each.reduce((sum, r) => sum + r.micros, 0) };
  }) as ServerChild['request'];
  return {
    server: { request } satisfies Placement['server'],
    /** Cores used by each node between the first and the last reading. */
    cores(measureMs: number): number[] {
      const [first, last] = [readings[0], readings.at(-1)];
      if (!first || !last || readings.length < 2) return nodes.map(() => NaN);
      return first.map((m, i) => (last[i] - m) / 1000 / measureMs);
    },
  };
}

async function startAll(starters: (() => Promise<ServerChild>)[]): Promise<ServerChild[]> {
  const nodes: ServerChild[] = [];
  try {
    // One after the other: the first migrates the schema (the others would wait on its lock).
    for (const start of starters) nodes.push(await start());
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return nodes;
}

export async function runCluster(
  scale: Scale,
  dataDir: string,
  palabreConfig: Record<string, unknown>,
): Promise<ClusterResults> {
  // A p99 of one 8 s window rests on its 16 slowest deliveries: three rounds, the configurations
  // alternating, so a burst of the machine's own noise weighs on one configuration less.
  const rounds = scale.rounds === 1 ? 1 : 3;
  const out: ClusterResults = { rounds, fanout: [], kill: null, failures: [] };
  const users = usersNeeded(scale);
  log(`cluster: ${users} users on SQLite, copied to a fresh PostgreSQL database`);
  const sqliteDir = join(dataDir, 'cluster-sqlite');
  const sqlite = { ...(await palabreTarget(sqliteDir, users, palabreConfig)), name: ONE_SQLITE };
  const db = await freshDatabase();
  try {
    await migrateToPostgres(sqliteDir, db.url);
    const redis = {
      redisUrl: testRedisUrl(),
      redisPrefix: `palabre-bench:${process.pid}:${randomBytes(4).toString('hex')}:`,
    };
    let nodeCount = 0;
    const pgNode = (clustered: boolean) =>
      palabreStarter(join(dataDir, `cluster-node-${nodeCount++}`), {
        ...palabreConfig,
        databaseUrl: db.url,
        ...(clustered ? redis : {}),
      });
    const postgres: Target = { ...sqlite, name: ONE_POSTGRES, start: pgNode(false) };

    // BENCH_CLUSTER_WORKLOADS=fanout2 (say) runs only those workloads, for quick A/B runs.
    const only = process.env.BENCH_CLUSTER_WORKLOADS?.split(',');
    const wanted = (id: string) => !only || only.includes(id);
    for (const f of fanoutScenarios(clusterScale(scale)).filter((s) => wanted(s.id))) {
      const each = new Map<string, ClusterFanoutRun[]>();
      const add = (run: ClusterFanoutRun) => each.set(run.config, [...(each.get(run.config) ?? []), run]);
      for (let round = 1; round <= rounds; round++) {
        for (const target of [sqlite, postgres]) {
          log(`cluster ${f.id}, round ${round}/${rounds}: ${target.name}`);
          let child: ServerChild | null = null;
          try {
            child = await target.start();
            const result = await f.run(target, child);
            report(result);
            add({ config: target.name, result });
          } catch (err) {
            fail(out, f.id, target.name, err);
          } finally {
            await child?.stop();
          }
        }
        log(
          `cluster ${f.id}, round ${round}/${rounds}: ${TWO_NODES} (clients split between A and B; C serves another discussion)`,
        );
        try {
          add(await twoNodes(f, postgres, [pgNode(true), pgNode(true), pgNode(true)], scale));
        } catch (err) {
          fail(out, f.id, TWO_NODES, err);
        }
      }
      out.fanout.push({
        id: f.id,
        title: f.title,
        setup: f.setup,
        runs: [...each.values()].map(pool),
        roundP99: Object.fromEntries(
          [...each].map(([config, runs]) => [config, runs.map((r) => r.result.latency.p99)]),
        ),
      });
    }

    if (wanted('kill'))
      try {
        log('cluster kill -9: one of two nodes killed while writers post, they reconnect through the other');
        out.kill = await runKill([pgNode(true), pgNode(true)], sqlite.members, scale.rounds === 1);
        log(
          `  ${out.kill.acked} acknowledged (${out.kill.ackedBeforeKill} before the kill), ${out.kill.lost} lost; ` +
            `writers back in ${Math.round(out.kill.reconnectMs)} ms`,
        );
      } catch (err) {
        fail(out, 'cluster kill -9', TWO_NODES, err);
      }
  } finally {
    await db.drop();
  }
  return out;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** One configuration's rounds as one run: every round's latency samples, counts summed, CPU averaged. */
function pool(runs: ClusterFanoutRun[]): ClusterFanoutRun {
  if (runs.length === 1) return runs[0];
  const results = runs.map((r) => r.result);
  const samples = results.flatMap((r) => r.samples);
  const sum = (pick: (r: FanoutResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const avg = (pick: (r: FanoutResult) => number | null) => {
    const values = results.map(pick).filter((v): v is number => v !== null);
    return values.length ? mean(values) : null;
  };
  const [first] = runs;
  return {
    config: first.config,
    result: {
      ...first.result,
      sent: sum((r) => r.sent),
      expected: sum((r) => r.expected),
      delivered: sum((r) => r.delivered),
      latency: summarize(samples),
      samples,
      clientCpu: avg((r) => r.clientCpu) ?? NaN,
      serverCpu: avg((r) => r.serverCpu),
      otherCpu: avg((r) => r.otherCpu),
      stealCpu: avg((r) => r.stealCpu),
    },
    ...(first.nodeCpu && {
      nodeCpu: first.nodeCpu.map((_, i) => mean(runs.map((r) => r.nodeCpu?.[i] ?? NaN))),
      thirdCpu: mean(runs.map((r) => r.thirdCpu ?? NaN)),
      thirdIdleCpu: mean(runs.map((r) => r.thirdIdleCpu ?? 0)),
    }),
  };
}

function fail(out: ClusterResults, workload: string, target: string, err: unknown): void {
  log(`  FAILED: ${String(err)}`);
  out.failures.push({ workload: `cluster ${workload}`, target, error: String(err) });
}

function report(r: FanoutResult, extra = ''): void {
  log(
    `  p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, ${r.delivered}/${r.expected} ` +
      `delivered, CPU cores client ${r.clientCpu.toFixed(2)} servers ${r.serverCpu?.toFixed(2)} ` +
      `others ${r.otherCpu?.toFixed(2)}${extra}`,
  );
}

/**
 * V8's memory reducer gives back the heap a process grew at start-up, some 15 s after its first
 * full collections and again about 24 s after start for the second isolate tsx runs its loader
 * in: pairs of "Mark-Compact (reduce)" (--trace-gc), 30 to 60 ms of CPU each with their helper
 * threads, which fell in the third node's window in some rounds (0.01 to 0.02 cores over its
 * idle reading) and in its idle reading in others. Waited for: 27 s after the node started at
 * least, then until it used under 2 ms of CPU in a second (40 s in all at most), so they fall in
 * neither reading.
 */
async function settled(node: ServerChild, startedAt: number): Promise<void> {
  await sleep(Math.max(0, startedAt + 27_000 - performance.now()));
  const deadline = startedAt + 40_000;
  let last = (await node.request('cpu', {})).micros;
  while (performance.now() < deadline) {
    await sleep(1000);
    const now = (await node.request('cpu', {})).micros;
    if (now - last < 2000) return;
    last = now;
  }
}

/**
 * Nodes A, B and C on one database and one Redis: the scenario's clients alternate between A and
 * B (fan-out 2: each writer on A, its reader on B), C holds one idle client of another discussion
 * (so it is a live member of the cluster: subscribed to the control channel and to that
 * discussion's; its client holds no events socket, so no sidebar events are for it).
 */
async function twoNodes(
  f: ReturnType<typeof fanoutScenarios>[number],
  postgres: Target,
  starters: (() => Promise<ServerChild>)[],
  scale: Scale,
): Promise<ClusterFanoutRun> {
  const nodes = await startAll(starters);
  const cStarted = performance.now(); // C, started last, is ready
  const [a, b, c] = nodes;
  try {
    const urls = [a, b].map((n) => postgres.serverUrl(n));
    // A group of three: with two people it would be their direct discussion, which is also the
    // first pair's of the 200 discussions × 2 clients workload (the same one, asked again), so
    // C's client would sit in a busy discussion and C would relay its messages.
    const [m0, m1, m2] = postgres.members;
    const elsewhere = await postgres.room(c, [m0, m1, m2], 'Ailleurs');
    const idle = openClient(postgres.serverUrl(c), { room: elsewhere, token: m0.token });
    try {
      await waitSynced(idle.provider, 30_000);
      const measureMs = clusterScale(scale)[f.id].measureMs;
      // Its start-up garbage collected now: V8 collects it in one major GC some seconds after
      // start (about 0.2 s of CPU), which otherwise lands in the window of some rounds and not others.
      await c.request('memory', {});
      await settled(c, cStarted);
      const before = await c.request('cpu', {});
      const t0 = performance.now();
      await sleep(3000);
      const thirdIdleCpu =
        ((await c.request('cpu', {})).micros - before.micros) / 1000 / (performance.now() - t0);
      const probe = cpuProbe(nodes);
      const result = await f.run(postgres, a, {
        place: (clients) => clients.map((cl, i) => ({ ...cl, serverUrl: urls[i % 2] })),
        server: probe.server,
      });
      const [cpuA, cpuB, cpuC] = probe.cores(measureMs);
      // The table's "server" CPU is the two serving nodes', as for one node.
      // (others, PostgreSQL and Redis among them, already leave out all three nodes)
      const run = { ...result, serverCpu: cpuA + cpuB };
      report(
        run,
        `; A ${cpuA.toFixed(2)}, B ${cpuB.toFixed(2)}, C ${cpuC.toFixed(3)} (idle before ${thirdIdleCpu.toFixed(3)})`,
      );
      return { config: TWO_NODES, result: run, nodeCpu: [cpuA, cpuB], thirdCpu: cpuC, thirdIdleCpu };
    } finally {
      closeClient(idle);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}
