// Shared by start.mjs and palabre.mjs: make a checkout ready to run the compiled server.
import { join } from 'node:path';
import { ROOT, isInstalled, staleTargets, withLock } from './build-state.mjs';

/**
 * What `npm start` and `npm run palabre` do before running the compiled server: install pnpm and
 * the dependencies if missing (under the lock), then build the stale targets among `targets` in a
 * child process (so the bundler's memory is not kept by the server that runs next). `say` prints a
 * line for the user; a failed build ends the process after `failure` (two lines).
 */
export async function prepareCheckout({ say, targets, buildArgs, stdio, failure }) {
  if (!isInstalled()) {
    const { ensurePnpm, installDependencies } = await import('./toolchain.mjs');
    await withLock(
      () => {
        if (isInstalled()) return;
        ensurePnpm();
        installDependencies();
      },
      { onWait: (pid) => say(`waiting for process ${pid}, which is installing or building in this folder`) },
    );
  }
  if (!staleTargets().some((name) => targets.includes(name))) return;
  const { spawnSync } = await import('node:child_process');
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), ...buildArgs], { stdio });
  if (build.status !== 0) {
    for (const line of failure) say(line);
    process.exit(1);
  }
}
