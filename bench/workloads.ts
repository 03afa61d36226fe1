/**
 * The workloads, each against one server given by its y-websocket URL. They know nothing of
 * which server it is: run.ts provides rooms and seats (Palabre: real discussions and tokens).
 * Every wait is bounded in time, every loop in count.
 */
import type * as Y from 'yjs';
import { addMessage, messagesMap, newId, type MessageRecord } from '@palabre/shared';
import type { ServerChild } from './children.js';
import { machineBusyMicros, machineStealMicros } from './machine.js';
import {
  closeClient,
  openAll,
  openClient,
  sleep,
  until,
  waitSynced,
  type Client,
  type Seat,
} from './clients.js';
import { sampleText } from './history.js';
import type { MemorySample } from './protocol.js';
import { median, summarize, type Summary } from './stats.js';
import { FRAME_KINDS, newCounter, resetCounter, type FrameKind } from './ws.js';

export interface FanoutClient extends Seat {
  /** The user id written as the author of this client's messages. */
  author: string;
  writer: boolean;
}

export interface FanoutOptions {
  /** Messages per second per writer. */
  ratePerWriter: number;
  warmupMs: number;
  measureMs: number;
  /** Longest wait for the last deliveries once writing has stopped. */
  drainMs: number;
  /** The server child (or all the nodes), to sample its CPU time over the measurement window. */
  server?: Pick<ServerChild, 'request'>;
}

export interface FanoutResult {
  clients: number;
  rooms: number;
  writers: number;
  /** Messages sent during the measurement window, and their deliveries to other clients. */
  sent: number;
  expected: number;
  delivered: number;
  latency: Summary;
  /** Every counted delivery latency (ms), for pooling rounds. */
  samples: number[];
  /** Deliveries (any message, to any client) received during the measurement window, per second. */
  deliveriesPerSec: number;
  /** CPU used over the window, in cores (1 = one core busy), by this process and by the server. */
  clientCpu: number;
  serverCpu: number | null;
  /** CPU used by every other process of the machine over the window, in cores (null off Linux). */
  otherCpu: number | null;
  /** CPU time the hypervisor took from this machine over the window (steal), in cores (null off Linux). */
  stealCpu: number | null;
  /** Connections that closed while the workload ran (each one is followed by a reconnect). */
  closes: number;
  /** Frames each client received per second while nobody wrote (1 s, before the warm-up). */
  idleFramesPerClientPerSec: number;
  /** Frames received by all clients during the window, per delivery, and by kind. */
  framesPerDelivery: number;
  framesByKind: Record<FrameKind, number>;
}

/**
 * Fan-out: every client connects and syncs; writers then add messages at a steady rate
 * (staggered evenly); each delivery's latency is its receive time at another client of the same
 * room minus its send time, both performance.now() in this process. Messages sent during the
 * warm-up are delivered but not counted.
 *
 * This is the hook for "feature on vs off" comparisons: start the Palabre child with a different
 * PALABRE_BENCH_CONFIG and call runFanout with the same clients.
 */
export async function runFanout(
  serverUrl: string,
  specs: FanoutClient[],
  options: FanoutOptions,
): Promise<FanoutResult> {
  const counter = newCounter();
  const clients = await openAll(serverUrl, specs, 60_000, counter);
  const roomSize = new Map<string, number>();
  for (const s of specs) roomSize.set(s.room, (roomSize.get(s.room) ?? 0) + 1);
  const sentAt = new Map<string, { t: number; measured: boolean }>();
  const latencies: number[] = [];
  const window = { start: Infinity, end: Infinity };
  let inWindow = 0;
  let delivered = 0;
  let expected = 0;
  let sent = 0;

  let closes = 0;
  const onClose = () => closes++;
  for (const c of clients) c.provider.on('connection-close', onClose);
  const unobserve = clients.map((client) => {
    const map = messagesMap(client.doc);
    const onChange = (event: Y.YMapEvent<MessageRecord>) => {
      if (event.transaction.local) return;
      const now = performance.now();
      for (const key of event.keysChanged) {
        const s = sentAt.get(key);
        if (!s) continue;
        if (now >= window.start && now < window.end) inWindow++;
        if (s.measured) {
          latencies.push(now - s.t);
          delivered++;
        }
      }
    };
    map.observe(onChange);
    return () => map.unobserve(onChange);
  });

  const writers = specs.flatMap((spec, i) => (spec.writer ? [{ spec, client: clients[i], count: 0 }] : []));
  const period = 1000 / options.ratePerWriter;
  const total = options.warmupMs + options.measureMs;
  const maxPerWriter = Math.ceil((total / 1000) * options.ratePerWriter) + 1;
  let seq = 0;
  const send = (w: (typeof writers)[number]) => {
    const id = newId();
    const t = performance.now();
    const measured = t >= window.start;
    sentAt.set(id, { t, measured });
    if (measured) {
      sent++;
      expected += (roomSize.get(w.spec.room) ?? 1) - 1;
    }
    addMessage(w.client.doc, { id, author: w.spec.author, text: sampleText(seq++), now: Date.now() });
  };

  let cpuStart = process.cpuUsage();
  let machineStart = machineBusyMicros();
  let stealStart = machineStealMicros();
  let framesStart = 0;
  let kindsStart = { ...counter.kinds };
  let serverStart: Promise<{ micros: number }> | null = null;
  try {
    await sleep(200);
    const idleFrom = counter.frames;
    await sleep(1000);
    const idleFramesPerClientPerSec = (counter.frames - idleFrom) / clients.length;
    const start = performance.now();
    window.start = start + options.warmupMs;
    window.end = start + total;
    await new Promise<void>((done) => {
      let windowOpen = false;
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        if (!windowOpen && elapsed >= options.warmupMs) {
          windowOpen = true;
          cpuStart = process.cpuUsage();
          machineStart = machineBusyMicros();
          stealStart = machineStealMicros();
          framesStart = counter.frames;
          kindsStart = { ...counter.kinds };
          serverStart = options.server?.request('cpu', {}) ?? null;
        }
        if (elapsed >= total) {
          clearInterval(timer);
          done();
          return;
        }
        writers.forEach((w, i) => {
          const offset = (i / writers.length) * period;
          const due = Math.min(maxPerWriter, Math.floor((elapsed - offset) / period) + 1);
          while (w.count < due) {
            w.count++;
            send(w);
          }
        });
      }, 2);
    });
    const cpu = process.cpuUsage(cpuStart);
    const machineEnd = machineBusyMicros();
    const stealEnd = machineStealMicros();
    const frames = counter.frames - framesStart;
    const framesByKind = { ...counter.kinds };
    for (const kind of FRAME_KINDS) framesByKind[kind] -= kindsStart[kind];
    const serverEnd = options.server ? await options.server.request('cpu', {}) : null;
    const serverBegin = await (serverStart as Promise<{ micros: number }> | null);
    await until(() => delivered >= expected, options.drainMs, 'the last deliveries').catch(() => {});
    const cores = (micros: number) => micros / 1000 / options.measureMs;
    const clientCpu = cores(cpu.user + cpu.system);
    const serverCpu = serverEnd && serverBegin ? cores(serverEnd.micros - serverBegin.micros) : null;
    return {
      clients: clients.length,
      rooms: roomSize.size,
      writers: writers.length,
      sent,
      expected,
      delivered,
      latency: summarize(latencies),
      samples: latencies,
      deliveriesPerSec: inWindow / (options.measureMs / 1000),
      clientCpu,
      serverCpu,
      otherCpu:
        machineEnd !== null && machineStart !== null && serverCpu !== null
          ? Math.max(0, cores(machineEnd - machineStart) - clientCpu - serverCpu)
          : null,
      stealCpu: stealEnd !== null && stealStart !== null ? cores(stealEnd - stealStart) : null,
      closes,
      idleFramesPerClientPerSec,
      framesPerDelivery: frames / Math.max(1, inWindow),
      framesByKind,
    };
  } finally {
    for (const c of clients) c.provider.off('connection-close', onClose);
    unobserve.forEach((off) => off());
    clients.forEach(closeClient);
    await sleep(300);
  }
}

/** Resolves, at the moment the last of `ids` is in doc, with what `snapshot` says then. */
function whenAll<T>(doc: Y.Doc, ids: Set<string>, timeoutMs: number, snapshot: () => T): Promise<T> {
  const map = messagesMap(doc);
  let missing = 0;
  for (const id of ids) if (!map.has(id)) missing++;
  if (missing === 0) return Promise.resolve(snapshot());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      map.unobserve(onChange);
      reject(new Error(`timed out after ${timeoutMs} ms with ${missing} of ${ids.size} messages missing`));
    }, timeoutMs);
    const onChange = (event: Y.YMapEvent<MessageRecord>) => {
      for (const key of event.keysChanged) if (ids.has(key) && map.has(key)) missing--;
      if (missing > 0) return;
      const result = snapshot();
      clearTimeout(timer);
      map.unobserve(onChange);
      resolve(result);
    };
    map.observe(onChange);
  });
}

export interface CatchUpSeats {
  writer: Seat & { author: string };
  /** The client that goes offline and catches up. */
  reader: Seat;
  /** Stays online: once it has every message, the server has relayed (Palabre: stored) them all. */
  observer: Seat;
}

export interface CatchUpResult {
  messages: number;
  /** From provider.connect() to the last missed message being in the reader's document. */
  ms: number;
  /** Payload bytes received by the reader over that time, and their frame count. */
  bytes: number;
  frames: number;
  /** UTF-8 bytes of the missed messages' text. */
  textBytes: number;
}

export async function runCatchUp(
  serverUrl: string,
  seats: CatchUpSeats,
  count: number,
): Promise<CatchUpResult> {
  const counter = newCounter();
  const writer = openClient(serverUrl, seats.writer);
  const observer = openClient(serverUrl, seats.observer);
  const reader = openClient(serverUrl, seats.reader, { counter });
  try {
    await Promise.all([writer, observer, reader].map((c) => waitSynced(c.provider, 30_000)));
    reader.provider.disconnect();
    await until(
      () => reader.provider.ws === null && !reader.provider.wsconnected,
      5000,
      'the reader to go offline',
    );

    const ids = new Set<string>();
    let textBytes = 0;
    for (let i = 0; i < count; i++) {
      const m = addMessage(writer.doc, { author: seats.writer.author, text: sampleText(i), now: Date.now() });
      ids.add(m.id);
      textBytes += Buffer.byteLength(m.text, 'utf8');
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await whenAll(observer.doc, ids, 60_000, () => null);

    resetCounter(counter);
    const t0 = performance.now();
    reader.provider.connect();
    const done = await whenAll(reader.doc, ids, 60_000, () => ({ t: performance.now(), ...counter }));
    return { messages: count, ms: done.t - t0, bytes: done.bytes, frames: done.frames, textBytes };
  } finally {
    [writer, observer, reader].forEach(closeClient);
    await sleep(200);
  }
}

export interface LoadSample {
  ms: number;
  bytes: number;
}

/** A fresh client: time from new WebsocketProvider to its 'sync' event, with `expected` messages there. */
export async function timeLoad(
  serverUrl: string,
  seat: Seat,
  expected: number,
  timeoutMs: number,
): Promise<LoadSample> {
  const counter = newCounter();
  const t0 = performance.now();
  const client = openClient(serverUrl, seat, { counter });
  try {
    await waitSynced(client.provider, timeoutMs);
    const ms = performance.now() - t0;
    const n = messagesMap(client.doc).size;
    if (n < expected) throw new Error(`synced with ${n} of ${expected} messages`);
    return { ms, bytes: counter.bytes };
  } finally {
    closeClient(client);
  }
}

export interface LoadResult {
  mode: 'cold' | 'warm';
  samples: number[];
  median: number;
  bytes: number;
}

/**
 * Load a discussion of `expected` messages `repeats` times. Cold: the server must not hold the
 * document (checked over IPC, waiting for it to unload between repeats). Warm: another client
 * keeps it loaded.
 */
export async function runLoad(
  serverUrl: string,
  seat: Seat,
  expected: number,
  server: ServerChild,
  mode: 'cold' | 'warm',
  repeats: number,
): Promise<LoadResult> {
  let holder: Client | null = null;
  const samples: LoadSample[] = [];
  try {
    if (mode === 'warm') {
      holder = openClient(serverUrl, seat);
      await waitSynced(holder.provider, 120_000);
    }
    for (let r = 0; r < repeats; r++) {
      if (mode === 'cold') await waitUnloaded(server, seat.room, 30_000);
      samples.push(await timeLoad(serverUrl, seat, expected, 120_000));
    }
  } finally {
    if (holder) closeClient(holder);
  }
  const ms = samples.map((s) => s.ms);
  return { mode, samples: ms, median: median(ms), bytes: samples[0]?.bytes ?? 0 };
}

export async function waitUnloaded(server: ServerChild, docId: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (await server.request('isLoaded', { docId })) {
    if (performance.now() > deadline) throw new Error(`${docId} still loaded after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface MemoryResult {
  discussions: number;
  baseline: MemorySample;
  loaded: MemorySample;
  /** After every client has left and `settleMs` has passed. */
  left: MemorySample;
  /** How many of the discussions the server still held in memory then. */
  stillLoaded: number;
}

/**
 * Server memory for `seats.length` loaded discussions, one client each: the child's memory after
 * two full GCs, before `load` (which, for a relay that stores nothing, is where documents appear)
 * and with every client connected and synced; then again once all have left.
 */
export async function runMemory(
  serverUrl: string,
  seats: Seat[],
  server: ServerChild,
  load: () => Promise<void>,
  settleMs: number,
): Promise<MemoryResult> {
  const baseline = await server.request('memory', {});
  await load();
  const clients = await openAll(serverUrl, seats);
  let loaded: MemorySample;
  try {
    await sleep(500);
    loaded = await server.request('memory', {});
  } finally {
    clients.forEach(closeClient);
  }
  await sleep(settleMs);
  const left = await server.request('memory', {});
  let stillLoaded = 0;
  for (const { room } of seats) if (await server.request('isLoaded', { docId: room })) stillLoaded++;
  return { discussions: seats.length, baseline, loaded, left, stillLoaded };
}
