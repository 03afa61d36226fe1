/** Palabre's version, as /api/health and backups report it. */
export const VERSION = '0.1.0';
