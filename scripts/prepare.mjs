// Shared by start.mjs and palabre.mjs: make a checkout ready to run the compiled server.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = (name) => fileURLToPath(new URL(name, import.meta.url));

/**
 * What `npm start` and `npm run palabre` do before running the compiled server: install pnpm and
 * the dependencies if missing (under the lock), then build the stale targets among `targets` in a
 * child process (so the bundler's memory is not kept by the server that runs next). `say` prints a
 * line for the user; a failed build ends the process after `failure` (two lines).
 * The stamps are first checked in a short-lived child (ready.mjs): on a checkout already installed
 * and built, the hashing leaves nothing resident in the process that goes on to serve.
 */
export async function prepareCheckout({ say, targets, buildArgs, stdio, failure }) {
  if (spawnSync(process.execPath, [script('ready.mjs'), ...targets], { stdio: 'inherit' }).status === 0)
    return;
  const { isInstalled, staleTargets, withLock } = await import('./build-state.mjs');
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
  const build = spawnSync(process.execPath, [script('build.mjs'), ...buildArgs], { stdio });
  if (build.status !== 0) {
    for (const line of failure) say(line);
    process.exit(1);
  }
}
