import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files whose every test needs PostgreSQL, Redis or HAProxy. When scripts/services.mjs could not
 * provide one (it prints why and sets PALABRE_NO_*), they are left out of the run: vitest would
 * otherwise fail each as a file without any test.
 */
const needs: Record<string, string[]> = {
  PALABRE_NO_POSTGRES: [
    'sync-server/src/storage/postgres.test.ts',
    'sync-server/src/sync/shared-compaction.test.ts',
    'tests/integration/migrate-to-postgres.test.ts',
    'tests/integration/retention-cluster.test.ts',
    'tests/integration/cluster.test.ts',
    'tests/integration/cluster-processes.test.ts',
    'tests/integration/load-balancer.test.ts',
  ],
  PALABRE_NO_REDIS: [
    'tests/integration/retention-cluster.test.ts',
    'tests/integration/cluster.test.ts',
    'tests/integration/cluster-processes.test.ts',
    'tests/integration/load-balancer.test.ts',
  ],
  PALABRE_NO_HAPROXY: ['tests/integration/load-balancer.test.ts'],
};
const leftOut = Object.entries(needs).flatMap(([flag, files]) => (process.env[flag] === '1' ? files : []));

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', include: ['shared/src/**/*.test.ts'] } },
      // The web app's pure logic (modules without runes or $lib imports).
      { test: { name: 'web', include: ['web/src/**/*.test.ts'] } },
      {
        test: {
          name: 'server',
          include: ['sync-server/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...leftOut],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
