// Shared by start.mjs and test-all.mjs: make sure pnpm and the dependencies are there.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL, ROOT, installHash } from './build-state.mjs';

export const PNPM_VERSION = '12.21.0';

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function must(cmd, args, options) {
  const status = run(cmd, args, options);
  if (status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(' ')} failed (exit ${status})`);
    process.exit(status);
  }
}

function has(cmd) {
  try {
    execSync(`${cmd} --version`, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** pnpm on PATH, installed globally with npm when missing (Corepack does not work offline). */
export function ensurePnpm() {
  if (has('pnpm')) return;
  console.log(`Installing pnpm ${PNPM_VERSION} with npm…`);
  must('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`]);
}

/**
 * Dependencies from the lockfile; better-sqlite3 compiles against Node's own headers. The stamp
 * lets `npm start` know next time, without running pnpm, that nothing needs installing.
 */
export function installDependencies() {
  if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
    process.env.npm_config_nodedir = '/usr';
  }
  const hash = installHash();
  must('pnpm', ['install', '--frozen-lockfile'], { cwd: ROOT });
  writeFileSync(join(ROOT, INSTALL.stamp), JSON.stringify({ hash, installedAt: new Date().toISOString() }));
}
