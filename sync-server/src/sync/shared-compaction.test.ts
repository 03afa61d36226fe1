/**
 * Two nodes (two DocManagers, two pools) holding the same discussion on one PostgreSQL database:
 * the compaction of one never drops what the other stored (storage/postgres.ts, compact).
 */
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresStorage } from '../storage/postgres.js';
import { freshDatabase, POSTGRES_TESTS, type TestDatabase } from '../storage/test-databases.js';
import { DocManager } from './doc-manager.js';

const messagesOf = (doc: Y.Doc) => doc.getMap('messages').toJSON();

async function rebuilt(storage: PostgresStorage, docId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const u of (await storage.docs.load(docId)).updates) Y.applyUpdate(doc, u);
  return doc;
}

if (POSTGRES_TESTS)
  describe('compaction of a discussion held by two nodes', () => {
    let db: TestDatabase;
    let a: PostgresStorage;
    let b: PostgresStorage;
    beforeEach(async () => {
      db = await freshDatabase();
      [a, b] = await Promise.all([openPostgres(db.url), openPostgres(db.url)]);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    });

    it('compaction by one node never loses an update another node stored meanwhile', async () => {
      // Node A and node B hold the same discussion. B stores an update that A has not received
      // yet (Redis is slow), then A compacts with its own snapshot, which lacks B's update.
      const nodeA = new DocManager(a.docs, { unloadAfterMs: 60_000 });
      const nodeB = new DocManager(b.docs, { unloadAfterMs: 60_000 });
      await nodeA.change('doc', (d) => d.getMap('messages').set('m1', 'from A, first'));
      await nodeB.change('doc', (d) => d.getMap('messages').set('m2', 'from B, unseen by A'));
      await nodeA.change('doc', (d) => d.getMap('messages').set('m3', 'from A, after'));
      await nodeA.closeAll(); // compacts up to A's last sequence number, which is past B's
      expect(messagesOf(await rebuilt(a, 'doc'))).toEqual({
        m1: 'from A, first',
        m2: 'from B, unseen by A',
        m3: 'from A, after',
      });
      expect((await a.docs.load('doc')).updates).toHaveLength(1);
      await nodeB.closeAll();
      expect(Object.keys(messagesOf(await rebuilt(b, 'doc'))).sort()).toEqual(['m1', 'm2', 'm3']);
    });
  });
