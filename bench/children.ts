/**
 * Server children, seen from the benchmark: spawn, request over IPC, stop. Every child ever
 * started is in `running` until it has exited, and killAll() (also run on process exit) ends
 * them by pid, so a failing run leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Commands, Ready, Reply } from './protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..');

const running = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}
process.on('exit', killAll);

export class ServerChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.on('message', (msg: Reply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ('error' in msg) p.reject(new Error(`${name}: ${msg.error}`));
      else p.resolve(msg.result);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /** Start `node --expose-gc --import tsx <script>` and wait for it to listen. */
  static async start(name: string, script: string, env: Record<string, string> = {}): Promise<ServerChild> {
    // BENCH_NODE_ARGS adds node flags to every server child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
    const child = spawn(
      process.execPath,
      ['--expose-gc', ...extra, '--import', 'tsx', resolve(here, script)],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    running.add(child);
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${name} exited during startup (${code})`)));
      child.on('message', (msg: Ready) => {
        if (msg && 'ready' in msg) {
          clearTimeout(timer);
          resolvePort(msg.port);
        }
      });
    }).catch((err: Error) => {
      child.kill('SIGKILL');
      throw err;
    });
    return new ServerChild(name, child, port);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<K extends Command>(
    cmd: K,
    args: Commands[K]['args'],
    timeoutMs = 120_000,
  ): Promise<Commands[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolveReply, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolveReply(v as Commands[K]['result']);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args });
    });
  }

  /** Ask the child to close (Palabre flushes and compacts), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
