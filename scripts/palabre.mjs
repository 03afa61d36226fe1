// `npm run palabre -- <command>`: the admin's command (backup, verify, restore; `help` lists them).
// Like `npm start`, it runs the compiled server code (sync-server/dist/cli.js, no TypeScript at run
// time); on a checkout that is not installed or whose server is not built, it installs and builds
// the server first (not the web app, which the command does not need).
import { isInstalled, staleTargets, withLock } from './build-state.mjs';

const say = (line) => console.error(`[palabre] ${line}`);
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
if (staleTargets().includes('server')) {
  const { spawnSync } = await import('node:child_process');
  const build = spawnSync(process.execPath, [new URL('build.mjs', import.meta.url).pathname, 'server'], {
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (build.status !== 0) {
    say('could not build the server: build this checkout (`pnpm build`) as the user who deploys, then');
    say('run the command again (see docs/OPERATIONS.md).');
    process.exit(1);
  }
}
await import('../sync-server/dist/cli.js');
