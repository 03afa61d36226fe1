export { startServer, type RunningServer, type ServerConfig } from './server.js';
export { ensureAdmin, seedDemo, DEMO_PASSWORD } from './bootstrap.js';
export type { DocStore } from './storage/types.js';
