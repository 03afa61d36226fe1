export { startServer, type RunningServer, type ServerConfig } from './server.js';
export { ensureAdmin } from './bootstrap.js';
export type { DocStore } from './storage/types.js';
export { DEFAULT_LIMITS, LIMIT_ENV, limitsFromEnv, type Limits } from './limits.js';
export { seedDemo, DEMO_PASSWORD } from './demo.js';
export { createLogger, silentLogger, type Logger } from './log.js';
export { openSqlite } from './storage/sqlite.js';
