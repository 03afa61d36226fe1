/**
 * The workloads at their sizes, for one server: rooms and seats from the target, then
 * the generic workloads of workloads.ts. `full` is what `pnpm bench` runs, `quick` is for trying.
 */
import type { ServerChild } from './children.js';
import { log } from './log.js';
import type { Results } from './report.js';
import type { Member, Target } from './targets.js';
import {
  runCatchUp,
  runFanout,
  runLoad,
  runMemory,
  type CatchUpResult,
  type FanoutClient,
  type FanoutResult,
  type MemoryResult,
} from './workloads.js';

export const SCALES = {
  full: {
    rounds: 2,
    fanout1: { clients: 50, writers: 5, rate: 20, warmupMs: 3000, measureMs: 12_000 },
    fanout2: { discussions: 200, rate: 1, warmupMs: 3000, measureMs: 12_000 },
    catchUp: { messages: 1000, repeats: 3 },
    load: { sizes: [10_000, 100_000], repeats: 3 },
    memory: { discussions: 200, messages: 100 },
    validation: { rounds: 2, micro: { sizes: [100, 10_000], calls: 5000, warmup: 500 } },
    coldStart: {
      discussions: 50,
      messages: 1000,
      colleagues: 12,
      repeats: 10,
      relaunches: 5,
      syncTimeoutMs: 150_000,
    },
    start: { starts: 7, restarts: 3, writers: 10, ratePerWriter: 10, idleRounds: 3, settleMs: 3000 },
  },
  quick: {
    rounds: 1,
    fanout1: { clients: 50, writers: 5, rate: 20, warmupMs: 1000, measureMs: 3000 },
    fanout2: { discussions: 50, rate: 1, warmupMs: 1000, measureMs: 3000 },
    catchUp: { messages: 1000, repeats: 1 },
    load: { sizes: [10_000], repeats: 2 },
    memory: { discussions: 50, messages: 100 },
    validation: { rounds: 1, micro: { sizes: [10_000], calls: 2000, warmup: 200 } },
    coldStart: {
      discussions: 10,
      messages: 200,
      colleagues: 6,
      repeats: 3,
      relaunches: 1,
      syncTimeoutMs: 60_000,
    },
    start: { starts: 3, restarts: 1, writers: 5, ratePerWriter: 10, idleRounds: 1, settleMs: 1000 },
  },
};
export type Scale = (typeof SCALES)['full'];

/** Users each target needs: one per fan-out seat. */
export const usersNeeded = (scale: Scale) => Math.max(scale.fanout1.clients, 2 * scale.fanout2.discussions);

const seat = (room: string, m: Member) => ({ room, token: m.token });

/** Several nodes (bench/cluster.ts): where each client connects, and whose CPU time counts. */
export interface Placement {
  place(clients: FanoutClient[]): FanoutClient[];
  server: Pick<ServerChild, 'request'>;
}

export interface FanoutScenario {
  id: 'fanout1' | 'fanout2';
  title: string;
  setup: string;
  run(target: Target, child: ServerChild, placement?: Placement): Promise<FanoutResult>;
}

export function fanoutScenarios(scale: Scale): FanoutScenario[] {
  const one = scale.fanout1;
  const pairs = scale.fanout2;
  const timing = (s: { warmupMs: number; measureMs: number }) =>
    `${s.warmupMs / 1000} s warm-up, ${s.measureMs / 1000} s measured, per round.`;
  return [
    {
      id: 'fanout1',
      title: `Fan-out: 1 discussion × ${one.clients} clients`,
      setup:
        `${one.writers} of the ${one.clients} clients write ${one.rate} messages/s each; latency to each ` +
        `of the other ${one.clients - 1}. ${timing(one)}`,
      async run(target, child, placement) {
        const members = target.members.slice(0, one.clients);
        const room = await target.room(child, members, 'Fan-out');
        const clients: FanoutClient[] = members.map((m, i) => ({
          ...seat(room, m),
          author: m.userId,
          writer: i < one.writers,
        }));
        return runFanout(target.serverUrl(child), placement?.place(clients) ?? clients, {
          ...one,
          ratePerWriter: one.rate,
          drainMs: 5000,
          server: placement?.server ?? child,
        });
      },
    },
    {
      id: 'fanout2',
      title: `Fan-out: ${pairs.discussions} discussions × 2 clients`,
      setup:
        `One writer per discussion at ${pairs.rate} message/s (${pairs.discussions * pairs.rate} messages/s ` +
        `in all), latency to the other client. ${timing(pairs)}`,
      async run(target, child, placement) {
        const clients: FanoutClient[] = [];
        for (let d = 0; d < pairs.discussions; d++) {
          const [a, b] = [target.members[2 * d], target.members[2 * d + 1]];
          const room = await target.room(child, [a, b], `Pair ${d}`);
          clients.push({ ...seat(room, a), author: a.userId, writer: true });
          clients.push({ ...seat(room, b), author: b.userId, writer: false });
        }
        return runFanout(target.serverUrl(child), placement?.place(clients) ?? clients, {
          ...pairs,
          ratePerWriter: pairs.rate,
          drainMs: 5000,
          server: placement?.server ?? child,
        });
      },
    },
  ];
}

export async function catchUp(scale: Scale, target: Target, child: ServerChild): Promise<CatchUpResult[]> {
  const [w, r, o] = target.members;
  const runs = [];
  // Repeat 0 warms up both processes' code paths with 200 messages and is not reported.
  for (let i = 0; i <= scale.catchUp.repeats; i++) {
    const room = await target.room(child, [w, r, o], 'Catch-up');
    const seats = {
      writer: { ...seat(room, w), author: w.userId },
      reader: seat(room, r),
      observer: seat(room, o),
    };
    const result = await runCatchUp(target.serverUrl(child), seats, i === 0 ? 200 : scale.catchUp.messages);
    if (i > 0) runs.push(result);
  }
  return runs;
}

/** Palabre: cold (from SQLite) then warm loads. The reference relay stores nothing: warm only. */
export async function load(scale: Scale, target: Target, child: ServerChild): Promise<Results['load']> {
  const out: Results['load'] = [];
  const trio = target.members.slice(0, 3);
  const authors = trio.map((m) => m.userId);
  // Warm up both processes' load paths on another discussion first; not reported.
  const warmup = await target.room(child, trio, 'Load warm-up');
  await child.request('seed', { docId: warmup, count: 1000, authors });
  await runLoad(target.serverUrl(child), seat(warmup, trio[0]), 1000, child, 'warm', 2);
  for (const size of scale.load.sizes) {
    const room = await target.room(child, trio, `Load ${size}`);
    await child.request('seed', { docId: room, count: size, authors }, 300_000);
    const modes = target.stores ? (['cold', 'warm'] as const) : (['warm'] as const);
    for (const mode of modes) {
      log(`  ${target.name}: ${size} messages, ${mode}`);
      const url = target.serverUrl(child);
      const result = await runLoad(url, seat(room, trio[0]), size, child, mode, scale.load.repeats);
      out.push({ target: target.name, size, result });
    }
  }
  return out;
}

/**
 * Palabre: discussions stored before the baseline, loaded by their clients. Reference relay:
 * documents created in its memory after the baseline (that is its loading).
 */
export async function memory(
  scale: Scale,
  target: Target,
  child: ServerChild,
  settleMs: number,
): Promise<MemoryResult> {
  const { discussions, messages } = scale.memory;
  const trio = target.members.slice(0, 3);
  const authors = trio.map((m) => m.userId);
  const rooms: string[] = [];
  for (let i = 0; i < discussions; i++) rooms.push(await target.room(child, trio, `Memory ${i}`));
  const seedAll = async () => {
    for (const docId of rooms) await child.request('seed', { docId, count: messages, authors });
  };
  if (target.stores) await seedAll();
  const seats = rooms.map((room) => seat(room, trio[0]));
  return runMemory(target.serverUrl(child), seats, child, target.stores ? async () => {} : seedAll, settleMs);
}
