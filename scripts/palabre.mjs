// `npm run palabre -- <command>`: the admin's command (backup, verify, restore; `help` lists them).
// Like `npm start`, it runs the compiled server code (sync-server/dist/cli.js, no TypeScript at run
// time); on a checkout that is not installed or whose server is not built, it installs and builds
// the server first (not the web app, which the command does not need).
import { prepareCheckout } from './prepare.mjs';

await prepareCheckout({
  say: (line) => console.error(`[palabre] ${line}`),
  targets: ['server'],
  buildArgs: ['server'],
  stdio: ['ignore', process.stderr, 'inherit'],
  failure: [
    'could not build the server: build this checkout (`pnpm build`) as the user who deploys, then',
    'run the command again (see docs/OPERATIONS.md).',
  ],
});
await import('../sync-server/dist/cli.js');
