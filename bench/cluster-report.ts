/** The docs/BENCHMARKS.md section of the `cluster` workload (bench/cluster.ts). */
import { ONE_SQLITE, TWO_NODES, type ClusterResults } from './cluster.js';

const f1 = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1);
const f2 = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2);
const f3 = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3);
const int = (v: number) => Math.round(v).toLocaleString('en-US');

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

export function clusterSection(
  r: ClusterResults | null | undefined,
  run: { date: string; machine: { cpu: string; cores: number }; otherLoadAtStart: number | null },
): string {
  if (!r) return '';
  const lines: string[] = [
    '## Several nodes: PostgreSQL and Redis',
    '',
    `\`pnpm bench --only=cluster\` on ${run.date.slice(0, 16).replace('T', ' ')} UTC, ${run.machine.cpu} ` +
      `(${run.machine.cores} cores). In one run: one node on SQLite, one node on PostgreSQL (a database created ` +
      "for the run and dropped after it), and two nodes on PostgreSQL + Redis (a key prefix of the run's own) " +
      'with the clients of every discussion split between them, each node a server child as in the other ' +
      'workloads. A third node on the same database and Redis serves one idle client of another discussion: ' +
      "its CPU time is read with the serving nodes' over the same window, its start-up garbage collected " +
      "(two `gc()` calls) and V8's one-off shrinking of its heap after start-up (the memory reducer) waited for " +
      "(27 s after it started, then a quiet second) before its idle reading. Windows are shorter than the fan-out sections' own (timings under each title); " +
      (r.rounds > 1
        ? `each workload runs ${r.rounds} rounds, the three configurations in turn within each round, and each ` +
          "configuration's latencies are pooled over its rounds (CPU: the rounds' mean); each round's p99 is listed under the table. "
        : 'one round. ') +
      `The whole run takes about ${r.rounds > 1 ? 9 : 4} minutes.` +
      (run.otherLoadAtStart !== null && run.otherLoadAtStart > 0.3
        ? ` **The machine was busy** (other engineers' builds and tests: ${f2(run.otherLoadAtStart)} cores in ` +
          'use by other processes when it started): tails are inflated, and the "others" column mixes their ' +
          "work with PostgreSQL's and Redis'."
        : ' The machine was quiet when it started; the "others" column is mostly PostgreSQL and Redis.') +
      ' "Steal" is CPU time the hypervisor gave to other machines over the window (/proc/stat): a shared ' +
      'host taking it lengthens every tail, in every configuration, whatever the code does.',
  ];
  const verdicts: string[] = [];
  for (const f of r.fanout) {
    const head = [
      'Configuration',
      'p50 (ms)',
      'p99 (ms)',
      'max (ms)',
      'delivered',
      'CPU servers (cores)',
      'CPU others (cores)',
      'steal (cores)',
    ];
    const rows = f.runs.map((x) => [
      x.config,
      f1(x.result.latency.p50),
      f1(x.result.latency.p99),
      f1(x.result.latency.max),
      `${int(x.result.delivered)}/${int(x.result.expected)}`,
      x.nodeCpu
        ? `${f2(x.result.serverCpu)} (A ${f2(x.nodeCpu[0])}, B ${f2(x.nodeCpu[1])})`
        : f2(x.result.serverCpu),
      f2(x.result.otherCpu),
      f2(x.result.stealCpu),
    ]);
    lines.push('', `### ${f.title}`, '', f.setup, '', ...table(head, rows));
    if (r.rounds > 1)
      lines.push(
        '',
        'p99 of each round (ms): ' +
          Object.entries(f.roundP99)
            .map(([config, p99s]) => `${config} ${p99s.map(f1).join(', ')}`)
            .join('; ') +
          '.',
      );
    const one = f.runs.find((x) => x.config === ONE_SQLITE);
    const two = f.runs.find((x) => x.config === TWO_NODES);
    if (one && two) {
      const ratio = two.result.latency.p99 / one.result.latency.p99;
      const missing = [one, two].filter((x) => x.result.delivered < x.result.expected);
      verdicts.push(
        missing.length > 0
          ? `- **${f.title}, cross-node p99 within 2× of one node on SQLite (goal): not judged.** ` +
              missing
                .map((x) => `${x.config}: ${int(x.result.delivered)} of ${int(x.result.expected)} deliveries`)
                .join('; ') +
              ' arrived before the clients left (5 s after writing stopped), so its p99 leaves out the slowest. ' +
              `Measured: ${f1(two.result.latency.p99)} ms on two nodes against ${f1(one.result.latency.p99)} ms.`
          : `- **${f.title}, cross-node p99 within 2× of one node on SQLite (goal): ` +
              `${ratio <= 2 ? 'met' : 'not met'}.** ${f1(two.result.latency.p99)} ms on two nodes against ` +
              `${f1(one.result.latency.p99)} ms (${f2(ratio)}×).`,
      );
      if (two.thirdCpu !== undefined && two.nodeCpu)
        verdicts.push(
          `- **${f.title}, the third node (no client of the busy discussion):** ${f3(two.thirdCpu)} cores while ` +
            `A and B, which serve it, used ${f2(two.nodeCpu[0])} and ${f2(two.nodeCpu[1])} ` +
            `(its own idle: ${f3(two.thirdIdleCpu)} cores over 3 s before anyone wrote${r.rounds > 1 ? '; means of the rounds' : ''}). Goal near zero, within ` +
            `0.01 cores of its idle: ${two.thirdCpu <= (two.thirdIdleCpu ?? 0) + 0.01 ? 'met' : 'not met'}.`,
        );
    }
  }
  const k = r.kill;
  if (k)
    verdicts.push(
      `- **kill -9 of one of two nodes under load (goal: 0 acknowledged messages lost): ${k.lost === 0 ? 'met' : 'not met'}.** ` +
        `${k.writers} writers (DocSync clients, as the web app) at ${k.ratePerWriter} messages/s each, half on each ` +
        `node; SIGKILL after ${k.beforeS} s, writing went on ${k.afterS} s. ${int(k.written)} written, ` +
        `${int(k.acked)} acknowledged (${int(k.ackedBeforeKill)} before the kill), ${k.lost} of them missing from ` +
        `a fresh reader on the surviving node, ${int(k.stored)} stored, ${k.pendingAtEnd} still pending. The ` +
        `killed node's ${k.moved} writers were synced again through the other node ${int(k.reconnectMs)} ms ` +
        'after the kill (their socket factory plays the load balancer: any live node).',
    );
  if (r.failures.length)
    verdicts.push(
      ...r.failures.map((x) => `- **Failed:** ${x.workload} on ${x.target}: ${x.error.split('\n')[0]}`),
    );
  lines.push('', '### Goals', '', ...verdicts);
  return lines.join('\n');
}
