// `npm start`: Palabre on one port. On a fresh checkout it installs what is missing (pnpm, the
// dependencies) and builds what is missing (web app, server); on a checkout already installed and
// built it does neither and starts at once: both checks compare stamps with hashes of the inputs, in
// one short-lived child (scripts/ready.mjs) so the hashing leaves nothing resident in the server.
// The server then runs in THIS process (the compiled sync-server/dist/main.js is imported, not
// spawned), so the pid a supervisor started is the pid that listens and holds the data, and SIGTERM
// reaches it directly.
// Configuration by environment: PORT, HOST, DATA_DIR, ADMIN_USERNAME, ADMIN_PASSWORD, LOG_LEVEL.
// `--demo` seeds colleagues.
import { prepareCheckout } from './prepare.mjs';

await prepareCheckout({
  say: (line) => console.error(`[start] ${line}`),
  targets: ['web', 'server'], // every target of build-state.mjs
  buildArgs: [],
  stdio: 'inherit',
  failure: [
    'could not build this checkout. Build it as the user who deploys (`pnpm build`), then start',
    'again: see docs/OPERATIONS.md.',
  ],
});
await import('../sync-server/dist/main.js');
