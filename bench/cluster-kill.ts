/**
 * kill -9 of a node under load: two nodes on PostgreSQL + Redis, writers (DocSync clients, as the
 * web app, counting the server's acknowledgements) spread over both post to one group discussion;
 * one node is killed with SIGKILL mid-run and its writers reconnect through the other (their
 * socket factory plays the load balancer: any live node). Afterwards a fresh reader on the
 * surviving node says what is stored: every acknowledged message must be there.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { DocSync, acknowledge, addMessage, isPending, listMessages, type ReadCursor } from '@palabre/shared';
import type { ServerChild } from './children.js';
import { createDiscussion, sleep, until } from './clients.js';
import type { Member } from './targets.js';

export interface KillResult {
  writers: number;
  ratePerWriter: number;
  /** Seconds of writing before the kill, and after it. */
  beforeS: number;
  afterS: number;
  written: number;
  /** Messages acknowledged when the node was killed, and once writing had stopped and settled. */
  ackedBeforeKill: number;
  acked: number;
  /** Acknowledged messages a fresh reader on the surviving node does not find: the goal is 0. */
  lost: number;
  /** Messages stored (found by that reader). */
  stored: number;
  /** Messages still waiting for an acknowledgement at the end (written at the kill, then resent). */
  pendingAtEnd: number;
  /** From the kill until the last writer of the killed node synced again through the other. */
  reconnectMs: number;
  /** Writers that were on the killed node. */
  moved: number;
}

interface Writer {
  userId: string;
  doc: Y.Doc;
  sync: DocSync;
  acked: ReadCursor | undefined;
  node: number;
  syncedAt: number;
}

const own = (w: Writer) => listMessages(w.doc).filter((m) => m.author === w.userId);
const ackedIds = (ws: Writer[]) =>
  ws.flatMap((w) =>
    own(w)
      .filter((m) => !isPending(w.doc, m.id, w.acked))
      .map((m) => m.id),
  );
const pendingCount = (ws: Writer[]) =>
  ws.reduce((n, w) => n + own(w).filter((m) => isPending(w.doc, m.id, w.acked)).length, 0);

export async function runKill(
  starters: (() => Promise<ServerChild>)[],
  members: Member[],
  quick: boolean,
): Promise<KillResult> {
  const writerCount = 10;
  const ratePerWriter = 10;
  const [beforeS, afterS] = quick ? [2, 2] : [4, 4];
  const nodes: ServerChild[] = [];
  for (const start of starters) nodes.push(await start());
  const dead = new Set<number>();
  const [a, b] = nodes;
  const writers: Writer[] = [];
  try {
    const team = members.slice(0, writerCount) as { userId: string; token: string }[];
    const id = await createDiscussion(`http://127.0.0.1:${a.port}`, team[0], team.slice(1), 'Kill -9');
    const urlOf = (node: number, token: string) =>
      `ws://127.0.0.1:${nodes[node].port}/sync/${id}?token=${token}`;
    for (const [i, m] of team.entries()) {
      const doc = new Y.Doc();
      const w: Writer = {
        userId: m.userId,
        doc,
        sync: null as never,
        acked: undefined,
        node: i % 2,
        syncedAt: 0,
      };
      // The load balancer: this writer's node while it lives, else the other one.
      const pick = () => (dead.has(w.node) ? nodes.findIndex((_, n) => !dead.has(n)) : w.node);
      w.sync = new DocSync(doc, {
        url: urlOf(w.node, m.token),
        socket: () => new WebSocket(urlOf(pick(), m.token)) as never,
        backoff: { baseMs: 100, maxMs: 1000 },
      });
      w.sync.on('ack', (sv) => (w.acked = acknowledge(w.acked, sv) ?? w.acked));
      w.sync.on('synced', () => (w.syncedAt = performance.now()));
      w.sync.connect();
      writers.push(w);
    }
    await until(() => writers.every((w) => w.sync.synced), 30_000, 'every writer synced');

    let writing = true;
    let written = 0;
    const loops = writers.map(async (w, i) => {
      await sleep((1000 / ratePerWriter / writerCount) * i);
      while (writing) {
        addMessage(w.doc, { author: w.userId, text: `avant et après le kill ${written++}`, now: Date.now() });
        await sleep(1000 / ratePerWriter);
      }
    });
    await sleep(beforeS * 1000);
    const ackedBeforeKill = new Set(ackedIds(writers));
    const killedAt = performance.now();
    process.kill(b.pid as number, 'SIGKILL');
    dead.add(1);
    await b.exited;
    await sleep(afterS * 1000);
    writing = false;
    await Promise.all(loops);
    const movers = writers.filter((w) => w.node === 1);
    await until(() => movers.every((w) => w.sync.synced && w.syncedAt > killedAt), 30_000, 'writers back');
    const reconnectMs = Math.max(...movers.map((w) => w.syncedAt - killedAt));
    await until(() => pendingCount(writers) === 0, 30_000, 'every message acknowledged').catch(() => {});
    const acked = ackedIds(writers);

    const reader = new Y.Doc();
    const sync = new DocSync(reader, {
      url: urlOf(0, team[0].token),
      socket: (to) => new WebSocket(to) as never,
    });
    const synced = new Promise<void>((r) => sync.on('synced', () => r()));
    sync.connect();
    await Promise.race([synced, sleep(30_000).then(() => Promise.reject(new Error('reader not synced')))]);
    const stored = new Set(listMessages(reader).map((m) => m.id));
    sync.destroy();
    return {
      writers: writerCount,
      ratePerWriter,
      beforeS,
      afterS,
      written,
      ackedBeforeKill: ackedBeforeKill.size,
      acked: acked.length,
      lost: acked.filter((m) => !stored.has(m)).length,
      stored: stored.size,
      pendingAtEnd: pendingCount(writers),
      reconnectMs,
      moved: movers.length,
    };
  } finally {
    for (const w of writers) w.sync.destroy();
    await Promise.all(nodes.map((n) => n.stop()));
  }
}
