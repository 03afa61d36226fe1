/**
 * The `palabre` command exactly as an admin runs it (`npm run palabre --` is `node
 * scripts/palabre.mjs`): a real child process, its exit status, stdout and stderr.
 */
import { spawn } from 'node:child_process';
import { ROOT } from './service-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function palabre(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  // The embedded storage unless a test says otherwise.
  const { DATABASE_URL: _, ...base } = process.env;
  const child = spawn(process.execPath, ['scripts/palabre.mjs', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
  child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
