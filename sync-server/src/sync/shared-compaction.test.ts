/**
 * Two nodes (two DocManagers, two pools) holding the same discussion on one PostgreSQL database:
 * the compaction of one never drops what the other stored (storage/postgres.ts, compact).
 */
import { describe, expect, it } from 'vitest';
import { messagesOf, POSTGRES_TESTS, rebuilt, twoNodesOnOneDatabase } from '../storage/test-databases.js';
import { DocManager } from './doc-manager.js';

if (POSTGRES_TESTS)
  describe('compaction of a discussion held by two nodes', () => {
    const nodes = twoNodesOnOneDatabase();

    it('compaction by one node never loses an update another node stored meanwhile', async () => {
      // Node A and node B hold the same discussion. B stores an update that A has not received
      // yet (Redis is slow), then A compacts with its own snapshot, which lacks B's update.
      const nodeA = new DocManager(nodes.a.docs, { unloadAfterMs: 60_000 });
      const nodeB = new DocManager(nodes.b.docs, { unloadAfterMs: 60_000 });
      await nodeA.change('doc', (d) => d.getMap('messages').set('m1', 'from A, first'));
      await nodeB.change('doc', (d) => d.getMap('messages').set('m2', 'from B, unseen by A'));
      await nodeA.change('doc', (d) => d.getMap('messages').set('m3', 'from A, after'));
      await nodeA.closeAll(); // compacts up to A's last sequence number, which is past B's
      expect(messagesOf(await rebuilt(nodes.a, 'doc'))).toEqual({
        m1: 'from A, first',
        m2: 'from B, unseen by A',
        m3: 'from A, after',
      });
      expect((await nodes.a.docs.load('doc')).updates).toHaveLength(1);
      await nodeB.closeAll();
      expect(Object.keys(messagesOf(await rebuilt(nodes.b, 'doc'))).sort()).toEqual(['m1', 'm2', 'm3']);
    });
  });
