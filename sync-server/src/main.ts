/** The only file that listens: reads the environment, starts Palabre, prints how to log in. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, ensureAdmin, seedDemo } from './bootstrap.js';
import { limitsFromEnv } from './limits.js';
import { startServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const webRoot = resolve(env.WEB_ROOT ?? resolve(here, '../../web/build'));
const log = (event: string, details: Record<string, unknown>) =>
  console.log(JSON.stringify({ t: new Date().toISOString(), event, ...details }));

const server = await startServer({
  port: Number(env.PORT ?? 8080),
  host: env.HOST ?? '0.0.0.0',
  dataDir: resolve(env.DATA_DIR ?? './data'),
  webRoot: existsSync(webRoot) ? webRoot : null,
  sqliteSync: env.PALABRE_SQLITE_SYNC === 'FULL' ? 'FULL' : 'NORMAL',
  unloadAfterMs: env.PALABRE_UNLOAD_AFTER_MS ? Number(env.PALABRE_UNLOAD_AFTER_MS) : undefined,
  limits: limitsFromEnv(env),
  publicUrl: env.PUBLIC_URL || null,
  allowedOrigins: env.ALLOWED_ORIGINS,
  trustProxy: env.PALABRE_TRUST_PROXY === '1' || env.PALABRE_TRUST_PROXY === 'true',
  log,
});

const admin = await ensureAdmin(server, env.ADMIN_USERNAME ?? 'admin', env.ADMIN_PASSWORD);
if (admin?.generatedPassword) {
  console.log(
    `\nFirst run: admin account "${admin.username}" created with password: ${admin.generatedPassword}`,
  );
  console.log('This password is shown once. Set ADMIN_PASSWORD to choose it yourself.\n');
} else if (admin) {
  console.log(`First run: admin account "${admin.username}" created with the password from ADMIN_PASSWORD.`);
}
if (process.argv.includes('--demo') && (await seedDemo(server))) {
  console.log(
    `Demo data seeded: log in as claire.martin, francois.dupont, ... with password "${DEMO_PASSWORD}".`,
  );
}
const shown = env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : 'localhost';
console.log(`Palabre is running on http://${shown}:${server.port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
