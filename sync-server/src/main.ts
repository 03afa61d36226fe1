/**
 * The only file that listens: reads the environment, starts Palabre, creates the first admin,
 * and shuts down gracefully on SIGTERM/SIGINT (sockets closed with 4503, every document
 * committed and compacted, exit 0). Compiled to sync-server/dist/main.js by `pnpm build`;
 * scripts/start.mjs imports it in its own process, so the process a supervisor starts is the
 * one that holds the data.
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAdmin } from './bootstrap.js';
import { createLogger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { limitsFromEnv } from './limits.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const logger = createLogger({ level: env.LOG_LEVEL });
/** After this long, a shutdown that is stuck gives up (exit 1); the supervisor's stop timeout is longer. */
const STOP_TIMEOUT_MS = Number(env.PALABRE_STOP_TIMEOUT_MS ?? 20_000);

let server: RunningServer | null = null;
let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ event: 'stopping', signal }, 'shutting down');
  setTimeout(() => {
    logger.fatal({ event: 'stop_timeout', ms: STOP_TIMEOUT_MS }, 'shutdown did not finish in time');
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
  await server?.close();
  logger.info({ event: 'stopped' }, 'stopped');
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
// Anything unexpected ends the process: what was acknowledged is committed, the supervisor restarts.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err) => {
    logger.fatal({ event: 'crash', err }, String(err));
    process.exit(1);
  });
}

const dataDir = resolve(env.DATA_DIR ?? './data');
// The bundle lives in sync-server/dist/, the sources in sync-server/src/: web/build is two levels up from both.
const webRoot = resolve(env.WEB_ROOT ?? resolve(here, '../../web/build'));
const maxFileBytes = env.MAX_FILE_BYTES ? Number(env.MAX_FILE_BYTES) : undefined;
if (maxFileBytes !== undefined && !(Number.isSafeInteger(maxFileBytes) && maxFileBytes > 0)) {
  logger.fatal(
    { event: 'bad_config', MAX_FILE_BYTES: env.MAX_FILE_BYTES },
    'MAX_FILE_BYTES must be a positive number of bytes',
  );
  process.exit(1);
}
server = await startServer({
  port: Number(env.PORT ?? 8080),
  host: env.HOST ?? '0.0.0.0',
  dataDir,
  // Several nodes: PostgreSQL for storage, Redis between them (docs/OPERATIONS.md).
  databaseUrl: env.DATABASE_URL || null,
  redisUrl: env.REDIS_URL || null,
  redisPrefix: env.PALABRE_REDIS_PREFIX || undefined,
  webRoot: existsSync(webRoot) ? webRoot : null,
  sqliteSync: env.PALABRE_SQLITE_SYNC === 'FULL' ? 'FULL' : 'NORMAL',
  maxFileBytes,
  unloadAfterMs: env.PALABRE_UNLOAD_AFTER_MS ? Number(env.PALABRE_UNLOAD_AFTER_MS) : undefined,
  limits: limitsFromEnv(env),
  publicUrl: env.PUBLIC_URL || null,
  allowedOrigins: env.ALLOWED_ORIGINS,
  trustProxy: env.PALABRE_TRUST_PROXY === '1' || env.PALABRE_TRUST_PROXY === 'true',
  backups: {
    dir: env.PALABRE_BACKUP_DIR ? resolve(env.PALABRE_BACKUP_DIR) : undefined,
    // Compiled: dist/cli.js beside this bundle; from the sources (`pnpm serve`): through tsx.
    command: existsSync(join(here, 'cli.js')) ? [process.execPath, join(here, 'cli.js')] : undefined,
  },
  retentionAt: env.PALABRE_RETENTION_AT || '03:00',
  logger,
});
if (!existsSync(webRoot)) logger.warn({ event: 'no_web_app', webRoot }, 'web app not built: API only');

const admin = await ensureAdmin(server, env.ADMIN_USERNAME ?? 'admin', env.ADMIN_PASSWORD);
if (admin?.generatedPassword) {
  // Never in the logs: a file only the service account can read, and the terminal if there is one.
  const file = join(dataDir, 'initial-admin-password');
  writeFileSync(file, `${admin.generatedPassword}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  logger.warn(
    { event: 'admin_created', username: admin.username, passwordFile: file },
    `first run: admin account "${admin.username}" created; its password is in ${file}`,
  );
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\nFirst run: admin account "${admin.username}" created with password: ${admin.generatedPassword}\n` +
        `(also in ${file}; set ADMIN_PASSWORD to choose it yourself)\n\n`,
    );
  }
} else if (admin) {
  logger.info({ event: 'admin_created', username: admin.username }, 'first run: admin account created');
}
if (process.argv.includes('--demo')) {
  const { seedDemo } = await import('./demo.js');
  if (await seedDemo(server)) {
    logger.info({ event: 'demo_seeded' }, 'demo data seeded: demo accounts and password in README.md');
  }
}
const shown = env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : 'localhost';
logger.info(
  {
    event: 'ready',
    port: server.port,
    url: `http://${shown}:${server.port}`,
    storage: server.storageKind,
    clustered: server.broker.clustered,
    startupMs: Math.round(process.uptime() * 1000),
  },
  `Palabre is running on http://${shown}:${server.port}`,
);
