// `npm start`: Palabre on one port. On a fresh checkout it installs what is missing (pnpm, the
// dependencies) and builds what is missing (web app, server); on a checkout already installed and
// built it does neither and starts at once: both checks compare stamps with hashes of the inputs,
// without spawning anything. The server then runs in THIS process (the compiled
// sync-server/dist/main.js is imported, not spawned), so the pid a supervisor started is the pid
// that listens and holds the data, and SIGTERM reaches it directly.
// Configuration by environment: PORT, HOST, DATA_DIR, ADMIN_USERNAME, ADMIN_PASSWORD, LOG_LEVEL.
// `--demo` seeds colleagues.
import { isInstalled, staleTargets, withLock } from './build-state.mjs';

const say = (line) => console.error(`[start] ${line}`);
const onWait = (pid) => say(`waiting for process ${pid}, which is installing or building in this folder`);

if (!isInstalled()) {
  const { ensurePnpm, installDependencies } = await import('./toolchain.mjs');
  await withLock(
    () => {
      if (isInstalled()) return;
      ensurePnpm();
      installDependencies();
    },
    { onWait },
  );
}
if (staleTargets().length > 0) {
  // In a child process, so the bundler's memory is not kept by the server that runs next.
  const { spawnSync } = await import('node:child_process');
  const build = spawnSync(process.execPath, [new URL('build.mjs', import.meta.url).pathname], {
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    say('could not build this checkout. Build it as the user who deploys (`pnpm build`), then start');
    say('again: see docs/OPERATIONS.md.');
    process.exit(1);
  }
}
await import('../sync-server/dist/main.js');
