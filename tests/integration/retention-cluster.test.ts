/**
 * The daily retention job with several nodes on one PostgreSQL database (cluster-fixture.ts):
 * every node has it armed at the same time, exactly one of them purges each day.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, addMessage, listMessages } from '@palabre/shared';
import { silentLogger } from '../../sync-server/src/log.js';
import { dailyRetention } from '../../sync-server/src/services/retention-schedule.js';
import { POSTGRES_TESTS, REDIS_TESTS } from '../../sync-server/src/storage/test-databases.js';
import { useCluster } from './cluster-fixture.js';
import { connect, createDiscussion, createUser, until, waitForSync } from './helpers.js';

if (POSTGRES_TESTS && REDIS_TESTS)
  describe('daily retention on several nodes', () => {
    const cluster = useCluster();

    it('two nodes firing the job together: only one purges, once per day', async () => {
      const { nodes } = await cluster.start(2);
      const [a, b] = nodes;
      const alice = await createUser(a, 'Alice');
      const bob = await createUser(b, 'Bob');
      const group = await createDiscussion(a.url, alice, [bob], 'Chantier');
      const onB = connect(b.url, group.id, bob.token);
      cluster.defer(() => onB.provider.destroy());
      await waitForSync(onB.provider);
      const now = Date.now();
      for (let i = 0; i < 5; i++)
        addMessage(onB.doc, { author: bob.user.id, text: `vieux ${i}`, now: now - 40 * DAY_MS + i });
      addMessage(onB.doc, { author: bob.user.id, text: 'récent', now });
      // Node A relays only what is stored: once its client has all six, they are in PostgreSQL.
      const onA = connect(a.url, group.id, alice.token);
      cluster.defer(() => onA.provider.destroy());
      await until(() => listMessages(onA.doc).length === 6, 10_000, 'stored');
      await a.storage.directory.setRetentionPolicy({ days: 30, keepPinned: true });

      // The same scheduled time on both nodes, as their timers fire at 03:00.
      const jobs = [a, b].map((n) => dailyRetention(n.retention, silentLogger, n.storage));
      const at = new Date(2026, 11, 1, 3, 0).getTime();
      const outcomes = await Promise.all(jobs.map((run) => run(at)));
      expect([...outcomes].sort()).toEqual(['ran', 'skipped']);
      const runs = async () =>
        (await a.storage.directory.listAudit({ limit: 100 })).filter((e) => e.action === 'retention.run');
      expect(await runs()).toHaveLength(1);
      await until(() => listMessages(onB.doc).length === 1, 10_000, 'the purge reaching the client');
      expect(listMessages(onB.doc).map((m) => m.text)).toEqual(['récent']);

      // The same day again (a timer a little late) stays claimed; the next day is anyone's, once.
      expect(await jobs[1](at + 60_000)).toBe('skipped');
      const next = await Promise.all(jobs.map((run) => run(at + DAY_MS)));
      expect([...next].sort()).toEqual(['ran', 'skipped']);
      expect(await runs()).toHaveLength(2);
    });
  });
