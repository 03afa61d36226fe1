/**
 * `pnpm bench --only=purge`: a retention purge of half of a large data folder (BENCH_PURGE_DISCUSSIONS
 * group discussions, default 1,000, of BENCH_PURGE_MESSAGES messages each, default 1,000: the
 * older half 400 days old) on Palabre's real server in its own process, through
 * `POST /api/admin/retention/run` with a 30-day policy. Measured: the run's time, and the fan-out
 * latency of 5 live discussions (a writer sending every 100 ms to 2 members each, stock
 * y-websocket clients in this process) while it runs, against the same discussions idle just
 * before. Goal: p99 during the purge within 2× of idle.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { addMessage, messagesMap } from '@palabre/shared';
import type { ServerChild } from './children.js';
import { closeClient, createDiscussion, loginAll, openClient, waitSynced, type Client } from './clients.js';
import { log } from './log.js';
import { summarize, type Summary } from './stats.js';

export interface PurgeResult {
  discussions: number;
  messagesEach: number;
  seedMs: number;
  dbBytesBefore: number;
  dbBytesAfter: number;
  purgeMs: number;
  deletedMessages: number;
  live: number;
  idle: Summary;
  during: Summary;
}

const PASSWORD = 'bench-password-1';
const LIVE = 5;
const EVERY_MS = 100;

async function json<T>(url: string, method: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const sizeOf = (dir: string) =>
  ['palabre.sqlite', 'palabre.sqlite-wal'].reduce((sum, f) => {
    try {
      return sum + statSync(join(dir, f)).size;
    } catch {
      return sum;
    }
  }, 0);

export async function runPurge(start: () => Promise<ServerChild>, dataDir: string): Promise<PurgeResult> {
  const discussions = Number(process.env.BENCH_PURGE_DISCUSSIONS ?? 1000);
  const messagesEach = Number(process.env.BENCH_PURGE_MESSAGES ?? 1000);
  const child = await start();
  const http = `http://127.0.0.1:${child.port}`;
  const clients: Client[] = [];
  try {
    const usernames = ['purge0', 'purge1', 'purge2'];
    const ids = await child.request('createUsers', { usernames, password: PASSWORD });
    const members = await loginAll(http, usernames, PASSWORD);
    log(`purge: writing ${discussions} discussions x ${messagesEach} messages`);
    const seeded = await child.request(
      'seedRetention',
      { discussions, messages: messagesEach, memberIds: ids, password: PASSWORD },
      3_600_000,
    );
    log(
      `  written in ${(seeded.ms / 1000).toFixed(1)} s (${(seeded.bytes / 2 ** 20).toFixed(0)} MiB of updates)`,
    );
    const [admin] = await loginAll(http, [seeded.admin], PASSWORD);
    await json(`${http}/api/admin/retention`, 'PUT', admin.token, { days: 30, keepPinned: true });

    // Live discussions: a writer and two readers each.
    const sent = new Map<string, number>();
    const latencies: { at: number; ms: number }[] = [];
    const writers: Client[] = [];
    for (let i = 0; i < LIVE; i++) {
      const room = await createDiscussion(http, members[0], [members[1], members[2]], `Live ${i}`);
      const url = `ws://127.0.0.1:${child.port}/sync`;
      const writer = openClient(url, { room, token: members[0].token });
      const readers = [1, 2].map((m) => openClient(url, { room, token: members[m].token }));
      for (const c of [writer, ...readers]) await waitSynced(c.provider, 30_000);
      for (const r of readers)
        messagesMap(r.doc).observe((event) => {
          const now = performance.now();
          for (const key of event.keysChanged) {
            const t0 = sent.get(key);
            if (t0 !== undefined) latencies.push({ at: now, ms: now - t0 });
          }
        });
      writers.push(writer);
      clients.push(writer, ...readers);
    }
    let n = 0;
    const timer = setInterval(() => {
      for (const w of writers) {
        const m = addMessage(w.doc, { author: members[0].userId, text: `mesure ${n++}`, now: Date.now() });
        sent.set(m.id, performance.now());
      }
    }, EVERY_MS);
    try {
      await new Promise((r) => setTimeout(r, 10_000));
      const dbBytesBefore = sizeOf(dataDir);
      const t0 = performance.now();
      log('  idle measured; purging');
      const report = await json<{ messages: number }>(`${http}/api/admin/retention/run`, 'POST', admin.token);
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 500));
      const idle = summarize(latencies.filter((l) => l.at < t0).map((l) => l.ms));
      const during = summarize(latencies.filter((l) => l.at >= t0 && l.at <= t1 + 200).map((l) => l.ms));
      const result: PurgeResult = {
        discussions,
        messagesEach,
        seedMs: seeded.ms,
        dbBytesBefore,
        dbBytesAfter: sizeOf(dataDir),
        purgeMs: t1 - t0,
        deletedMessages: report.messages,
        live: LIVE,
        idle,
        during,
      };
      log(
        `  purged ${report.messages} messages in ${(result.purgeMs / 1000).toFixed(1)} s; fan-out p50/p99 idle ` +
          `${idle.p50.toFixed(1)}/${idle.p99.toFixed(1)} ms, during ${during.p50.toFixed(1)}/${during.p99.toFixed(1)} ms`,
      );
      return result;
    } finally {
      clearInterval(timer);
    }
  } finally {
    for (const c of clients) closeClient(c);
    await child.stop();
  }
}

export function purgeSection(
  r: PurgeResult | null | undefined,
  machine: { cpu: string; cores: number },
  otherLoadAtStart: number | null = null,
): string {
  if (!r) return '';
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const f1 = (v: number) => v.toFixed(1);
  const goal = r.during.p99 <= 2 * r.idle.p99;
  return [
    '## Purge of half of a data folder (retention)',
    '',
    `\`pnpm bench --only=purge\` on ${machine.cpu} (${machine.cores} cores): ${r.discussions.toLocaleString('en')} ` +
      `group discussions of ${r.messagesEach.toLocaleString('en')} messages each ` +
      `(${(r.discussions * r.messagesEach).toLocaleString('en')} messages, the older half 400 days old; written ` +
      `straight into storage in ${f1(r.seedMs / 1000)} s; database + WAL ${mib(r.dbBytesBefore)} MiB), then ` +
      '`POST /api/admin/retention/run` with a 30-day policy on the real server in its own process. Meanwhile ' +
      `${r.live} live discussions each get a message every ${EVERY_MS} ms from a writer, relayed to 2 members ` +
      "(stock y-websocket clients in the bench process; latency = send to the reader's Yjs event)." +
      (r.discussions * r.messagesEach < 1_000_000
        ? ' The issue asks for 1,000,000 messages; on this shared machine writing them alone takes several ' +
          'minutes, so this run is smaller (`BENCH_PURGE_DISCUSSIONS` and `BENCH_PURGE_MESSAGES` choose the size; ' +
          'the defaults, 1,000 x 1,000, are the full one).'
        : '') +
      (otherLoadAtStart !== null && otherLoadAtStart > 0.5
        ? ` Other processes used ${otherLoadAtStart.toFixed(2)} cores when it started: tails are inflated.`
        : ''),
    '',
    `- **Purge:** ${r.deletedMessages.toLocaleString('en')} messages deleted in ${f1(r.purgeMs / 1000)} s ` +
      `(${Math.round(r.deletedMessages / (r.purgeMs / 1000)).toLocaleString('en')} messages/s: each discussion loaded, ` +
      'purged, committed, compacted with secure_delete, WAL truncated). Database + WAL after: ' +
      `${mib(r.dbBytesAfter)} MiB.`,
    `- **Fan-out latency of live discussions (goal: p99 during the purge within 2× of idle): ${goal ? 'met' : 'not met'}.** ` +
      `Idle: p50 ${f1(r.idle.p50)} ms, p99 ${f1(r.idle.p99)} ms (${r.idle.count} deliveries); during the purge: ` +
      `p50 ${f1(r.during.p50)} ms, p99 ${f1(r.during.p99)} ms, max ${f1(r.during.max)} ms (${r.during.count} deliveries).`,
  ].join('\n');
}
