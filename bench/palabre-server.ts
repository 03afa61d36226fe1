/**
 * Benchmark child: Palabre's real server (startServer, SQLite WAL, auth) on 127.0.0.1, port 0.
 *
 * Environment: PALABRE_BENCH_DATA_DIR (required) and PALABRE_BENCH_CONFIG, a JSON object spread
 * into the ServerConfig, e.g. {"unloadAfterMs":1000} or {"validateUpdates":false}. That is the
 * hook for "feature on vs off" comparisons of the same workload.
 */
import { startServer, type ServerConfig } from '@palabre/sync-server';
import { buildHistory } from './history.js';
import { seedRetention } from './purge-data.js';
import { serveCommands } from './protocol.js';

const dataDir = process.env.PALABRE_BENCH_DATA_DIR;
if (!dataDir) throw new Error('PALABRE_BENCH_DATA_DIR is required');
const extra = JSON.parse(process.env.PALABRE_BENCH_CONFIG ?? '{}') as Record<string, unknown>;

const server = await startServer({ ...extra, port: 0, host: '127.0.0.1', dataDir } as ServerConfig);

serveCommands(
  server.port,
  {
    async createUsers({ usernames, password, displayNames }) {
      const ids: string[] = [];
      // scrypt runs on libuv's pool: a few at a time keeps both cores busy without a pile-up.
      for (let i = 0; i < usernames.length; i += 4) {
        const batch = usernames.slice(i, i + 4);
        const users = await Promise.all(
          batch.map((username, j) =>
            server.auth.createUser({ username, displayName: displayNames?.[i + j] ?? username, password }),
          ),
        );
        ids.push(...users.map((u) => u.id));
      }
      return ids;
    },
    async seed({ docId, count, authors }) {
      if (server.docs.isLoaded(docId)) throw new Error('seed a discussion that is not loaded');
      const update = buildHistory(count, authors);
      await server.storage.docs.append(docId, update);
      return { bytes: update.byteLength };
    },
    isLoaded: ({ docId }) => server.docs.isLoaded(docId),
    seedRetention: (args) => seedRetention(server, args),
  },
  () => server.close(),
);
