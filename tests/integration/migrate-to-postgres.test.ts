/**
 * Moving a SQLite data folder to PostgreSQL (`npm run palabre -- migrate-to-postgres`): a node
 * started on the database afterwards has every user, discussion, message, role and audit entry.
 */
import { describe, expect, it } from 'vitest';
import { migrateToPostgres } from '../../sync-server/src/storage/migrate-to-postgres.js';
import { freshDatabase, POSTGRES_TESTS } from '../../sync-server/src/storage/test-databases.js';
import {
  api,
  connect,
  createDiscussion,
  createUser,
  login,
  removeDataDir,
  say,
  startTestServer,
  texts,
  waitForSync,
} from './helpers.js';

if (POSTGRES_TESTS)
  describe('moving a SQLite data folder to PostgreSQL', () => {
    it('keeps every user, discussion, message, role and audit entry', async () => {
      const sqlite = await startTestServer();
      const db = await freshDatabase();
      try {
        const ana = await createUser(sqlite, 'Ana');
        const bob = await createUser(sqlite, 'Bob');
        const cleo = await createUser(sqlite, 'Cléo');
        const group = await createDiscussion(sqlite.url, ana, [bob, cleo], 'Équipe');
        const direct = await createDiscussion(sqlite.url, ana, [bob]);
        const c = connect(sqlite.url, group.id, ana.token);
        await waitForSync(c.provider);
        for (let i = 0; i < 30; i++) say(c.doc, ana, `message ${i}`);
        const role = await api(
          sqlite.url,
          `/api/discussions/${group.id}/members/${cleo.user.id}`,
          ana.token,
          {
            method: 'PATCH',
            body: { role: 'reader' },
          },
        );
        expect(role.status).toBe(200);
        await new Promise((r) => setTimeout(r, 500));
        c.provider.destroy();
        const before = {
          users: await sqlite.storage.directory.listUsers(),
          audit: await sqlite.storage.directory.listAudit({ limit: 100 }),
          members: await sqlite.storage.directory.membersOf(group.id),
        };
        expect(before.audit.length).toBeGreaterThan(0);
        await sqlite.close();

        const counts = await migrateToPostgres(sqlite.dataDir, db.url);
        expect(counts).toMatchObject({ users: 3, discussions: 2 });

        const pg = await startTestServer({ databaseUrl: db.url });
        try {
          expect(await pg.storage.directory.listUsers()).toEqual(before.users);
          expect(await pg.storage.directory.membersOf(group.id)).toEqual(before.members);
          expect(
            (await pg.storage.directory.listAudit({ limit: 100 })).map(({ id: _id, ...e }) => e),
          ).toEqual(before.audit.map(({ id: _id, ...e }) => e));
          // A user signs in with the same password and reads every message.
          const again = await login(pg.url, bob.user.username, 'password123');
          const list = await api<{ discussions: { id: string }[] }>(pg.url, '/api/discussions', again.token);
          expect(list.body.discussions.map((d) => d.id).sort()).toEqual([group.id, direct.id].sort());
          const reader = connect(pg.url, group.id, again.token);
          await waitForSync(reader.provider);
          expect(texts(reader.doc)).toEqual(Array.from({ length: 30 }, (_, i) => `message ${i}`));
          reader.provider.destroy();
        } finally {
          await pg.close();
          removeDataDir(pg.dataDir);
        }
      } finally {
        removeDataDir(sqlite.dataDir);
        await db.drop();
      }
    });
  });
