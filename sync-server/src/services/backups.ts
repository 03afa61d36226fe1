/**
 * Backups started by an admin (POST /api/admin/backups): the `palabre backup` command run in a
 * child process, so the database copy reads on its own connection and the server's event loop
 * never waits for it (the same command and guarantees as from a shell; ARCHITECTURE.md "Backups").
 * One at a time. Each start and end is in the audit log.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, type BackupInfo } from '@palabre/shared';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuditLog } from './audit.js';

/**
 * How to run the command when the caller says nothing: from the TypeScript sources through tsx
 * (tests, `pnpm serve`). The compiled server passes `node dist/cli.js` (main.ts).
 */
export function sourceBackupCommand(): string[] {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return [process.execPath, '--import', pathToFileURL(tsx).href, cli];
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export class BackupService {
  private running: { info: BackupInfo; kill: () => void; done: Promise<void> } | null = null;
  /** Runs that did not give a file, newest first (this process's lifetime only). */
  private failures: BackupInfo[] = [];
  /** What this server knows of the files it wrote (the checksum). */
  private written = new Map<string, string>();

  constructor(
    private readonly options: {
      dataDir: string;
      dir: string;
      command: string[];
      audit: AuditLog;
      logger: Logger;
    },
  ) {}

  get dir(): string {
    return this.options.dir;
  }

  async start(actorId: string): Promise<BackupInfo> {
    if (this.running)
      throw new AppError(
        ErrorCode.BackupRunning,
        `A backup is already being written: ${this.running.info.name}`,
      );
    const { dir, dataDir, command, audit, logger } = this.options;
    const now = new Date();
    let name = `palabre-${stamp(now)}.tar`;
    for (let i = 2; existsSync(join(dir, name)); i++) name = `palabre-${stamp(now)}-${i}.tar`;
    const path = join(dir, name);
    const info: BackupInfo = {
      name,
      path,
      status: 'running',
      createdAt: now.getTime(),
      size: null,
      sha256: null,
      error: null,
    };
    this.running = { info, kill: () => undefined, done: Promise.resolve() };
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      await audit.record({
        actorId,
        action: 'backup.start',
        targetType: 'backup',
        targetId: name,
        details: { path },
      });
    } catch (err) {
      this.running = null;
      throw err;
    }
    const child = spawn(
      command[0]!,
      [...command.slice(1), 'backup', '--out', path, '--data-dir', dataDir, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const done = new Promise<void>((resolve) => {
      const finish = async (code: number | null, spawnError?: Error) => {
        let result: {
          ok?: boolean;
          size?: number;
          sha256?: string;
          ms?: number;
          error?: { code: string; message: string };
        } = {};
        try {
          result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as typeof result;
        } catch {
          // no JSON: the process died; stderr says why
        }
        if (code === 0 && result.ok) {
          Object.assign(info, { status: 'done', size: result.size ?? null, sha256: result.sha256 ?? null });
          this.written.set(name, result.sha256 ?? '');
          logger.info({ event: 'backup_done', path, size: result.size, ms: result.ms }, 'backup written');
        } else {
          info.status = 'failed';
          info.error = result.error ?? {
            code: 'backup_failed',
            message: spawnError?.message ?? (stderr.trim().split('\n').at(-1) || `exit ${code}`),
          };
          this.failures = [{ ...info }, ...this.failures].slice(0, 10);
          logger.error({ event: 'backup_failed', path, error: info.error }, 'backup failed');
        }
        this.running = null;
        await audit
          .record({
            actorId,
            action: info.status === 'done' ? 'backup.done' : 'backup.failed',
            targetType: 'backup',
            targetId: name,
            details:
              info.status === 'done'
                ? { path, size: info.size, sha256: info.sha256, ms: result.ms }
                : { path, code: info.error?.code, message: info.error?.message },
          })
          .catch((err: unknown) => logger.error({ event: 'audit_failed', err }, 'audit entry not written'));
        resolve();
      };
      child.once('error', (err) => void finish(null, err));
      child.once('close', (code) => void finish(code));
    });
    this.running = {
      info,
      kill: () => child.kill('SIGTERM'),
      done,
    };
    logger.info({ event: 'backup_started', path }, 'backup started');
    return { ...info };
  }

  /** Backups in the folder (newest first), the one being written, and recent failures. */
  async list(): Promise<BackupInfo[]> {
    const dir = this.options.dir;
    const names = existsSync(dir) ? (await readdir(dir)).filter((n) => /^[^.].*\.tar$/.test(n)) : [];
    const files: BackupInfo[] = [];
    for (const name of names) {
      if (this.running?.info.name === name) continue;
      const s = await stat(join(dir, name)).catch(() => null);
      if (!s?.isFile()) continue;
      files.push({
        name,
        path: join(dir, name),
        status: 'done',
        createdAt: s.mtimeMs,
        size: s.size,
        sha256: this.written.get(name) || null,
        error: null,
      });
    }
    const all = [...(this.running ? [{ ...this.running.info }] : []), ...files, ...this.failures];
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Stop a backup being written (server shutdown): its partial file is removed. */
  async close(): Promise<void> {
    const run = this.running;
    if (!run) return;
    run.kill();
    await run.done;
    for (const name of await readdir(this.options.dir).catch(() => [] as string[]))
      if (name.startsWith(`.${run.info.name}.partial-`))
        await rm(join(this.options.dir, name), { force: true });
  }
}
