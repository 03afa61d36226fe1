export { startServer, type RunningServer, type ServerConfig } from './server.js';
export { ensureAdmin, seedDemo, DEMO_PASSWORD } from './bootstrap.js';
export type { DocStore } from './storage/types.js';
export { DEFAULT_LIMITS, LIMIT_ENV, limitsFromEnv, type Limits } from './limits.js';
