/**
 * IPC between the benchmark and its server children. A child announces `{ ready, port }`, then
 * answers `{ id, cmd, args }` requests with `{ id, result }` or `{ id, error }`.
 */
import type { CheckCost } from './validation.js';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface Commands {
  /** Memory after two full garbage collections (the child runs with --expose-gc). */
  memory: { args: Record<string, never>; result: MemorySample };
  /** CPU time the child has used so far, in microseconds. */
  cpu: { args: Record<string, never>; result: { micros: number } };
  /** Store (Palabre) or hold in memory (reference) a history of `count` messages for docId. */
  seed: { args: { docId: string; count: number; authors: string[] }; result: { bytes: number } };
  isLoaded: { args: { docId: string }; result: boolean };
  /**
   * Palabre only: create users through server.auth.createUser (display name = username unless
   * given). Returns their ids.
   */
  createUsers: {
    args: { usernames: string[]; password: string; displayNames?: string[] };
    result: string[];
  };
  /**
   * Palabre only (purge workload): `discussions` group discussions of the given members, each with
   * `messages` messages, the older half 400 days old; an admin account; returns its username.
   */
  seedRetention: {
    args: { discussions: number; messages: number; memberIds: string[]; password: string };
    result: { admin: string; bytes: number; ms: number };
  };
  /** Validator child only: time checkUpdate (and applyUpdate) on documents of these sizes. */
  checkCost: {
    args: { sizes: number[]; calls: number; warmup: number };
    result: CheckCost[];
  };
}

export type Command = keyof Commands;
export type Handlers = {
  [K in Command]?: (args: Commands[K]['args']) => Commands[K]['result'] | Promise<Commands[K]['result']>;
};

export interface Request {
  id: number;
  cmd: Command;
  args: unknown;
}
export type Reply = { id: number; result: unknown } | { id: number; error: string };
export interface Ready {
  ready: true;
  port: number;
}

/** Child side: announce the port, answer requests, exit when the parent goes away. */
export function serveCommands(port: number, handlers: Handlers, close: () => Promise<void>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this script is a benchmark child: start it with an IPC channel');
  const common: Handlers = {
    memory: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
    },
    cpu: () => {
      const u = process.cpuUsage();
      return { micros: u.user + u.system };
    },
  };
  const all = { ...common, ...handlers } as Record<Command, (args: unknown) => unknown>;
  process.on('message', (raw: Request) => {
    const handler = all[raw.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${raw.cmd}`);
        return handler(raw.args);
      })
      .then(
        (result) => send({ id: raw.id, result } satisfies Reply),
        (err: unknown) => send({ id: raw.id, error: String(err) } satisfies Reply),
      );
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(1), 5000);
    close().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  send({ ready: true, port } satisfies Ready);
}
