/**
 * Two nodes (two DocManagers, two pools) holding the same discussion on one PostgreSQL database:
 * the compaction of one never drops what the other stored (storage/postgres.ts, compact).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
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

    it("keeps what another node's snapshot added where the compacting node holds an update of the same number", async () => {
      // B's compaction writes its snapshot at the sequence number of A's last update, which A
      // holds: the row there is now B's snapshot, holding B's update that A never received.
      const nodeA = new DocManager(nodes.a.docs, { unloadAfterMs: 60_000 });
      const nodeB = new DocManager(nodes.b.docs, { unloadAfterMs: 60_000 });
      const fromA: { seq: number; update: Uint8Array }[] = [];
      nodeA.observe({ committed: (_id, seq, update) => fromA.push({ seq, update }) });
      await nodeA.change('doc', (d) => d.getMap('messages').set('m1', 'from A, first'));
      await nodeB.change('doc', (d) => d.getMap('messages').set('m2', 'from B, never received by A'));
      await nodeA.change('doc', (d) => d.getMap('messages').set('m3', 'from A, received by B'));
      const m3 = fromA.at(-1)!;
      nodeB.applyRemote('doc', m3.seq, m3.update);
      await nodeB.closeAll(); // its snapshot (m1, m2, m3) replaces every row up to m3's number
      expect((await nodes.b.docs.load('doc')).updates).toHaveLength(1);
      await nodeA.closeAll(); // compacts up to the same number, with a snapshot lacking m2
      expect(messagesOf(await rebuilt(nodes.a, 'doc'))).toEqual({
        m1: 'from A, first',
        m2: 'from B, never received by A',
        m3: 'from A, received by B',
      });
    });

    it('keeps every write made while a periodic compaction is under way beside them', async () => {
      // Compacting every 3 stored writes, 40 writes from 4 writers at once: the compactions'
      // round trips run while later writes are stored, and none of those may be lost.
      const node = new DocManager(nodes.a.docs, { compactEvery: 3, unloadAfterMs: 60_000 });
      await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; i < 10; i++)
            await node.change('doc', (d) => d.getMap('messages').set(`w${w}-${i}`, `writer ${w}, ${i}`));
        }),
      );
      const stored = (await nodes.a.docs.load('doc')).updates.length;
      expect(stored).toBeLessThan(40); // compactions ran
      expect(Object.keys(messagesOf(await rebuilt(nodes.a, 'doc')))).toHaveLength(40);
      await node.closeAll();
      expect(Object.keys(messagesOf(await rebuilt(nodes.a, 'doc')))).toHaveLength(40);
    });

    it('folds in exactly the replaced rows the snapshot does not hold, and returns them', async () => {
      const store = nodes.a.docs;
      const rows: string[] = [];
      let seq = 0;
      for (const [key, text] of [
        ['m1', 'held'],
        ['m2', 'not held'],
        ['m3', 'held too'],
      ]) {
        const writer = new Y.Doc(); // one author each: no update depends on another
        writer.getMap('messages').set(key, text);
        seq = await store.append('doc', Y.encodeStateAsUpdate(writer));
        rows.push(String(seq));
      }
      // The caller's copy holds m1 and m3 only (m2 was stored by another node, not received).
      const copy = new Y.Doc();
      const { updates } = await store.load('doc');
      Y.applyUpdate(copy, updates[0]);
      Y.applyUpdate(copy, updates[2]);
      expect(messagesOf(copy)).toEqual({ m1: 'held', m3: 'held too' });
      const { row, missed } = await store.compact(
        'doc',
        Y.encodeStateAsUpdate(copy),
        seq,
        new Set([rows[0], rows[2]]),
      );
      expect(missed).toHaveLength(1);
      const fromMissed = new Y.Doc();
      Y.applyUpdate(fromMissed, missed[0]);
      expect(messagesOf(fromMissed)).toEqual({ m2: 'not held' });
      expect(messagesOf(await rebuilt(nodes.a, 'doc'))).toEqual({
        m1: 'held',
        m2: 'not held',
        m3: 'held too',
      });
      // With what it missed applied (as DocManager does), the copy holds the new snapshot, the one
      // row left: compacting again with it folds nothing in, and everything is still there.
      Y.applyUpdate(copy, missed[0]);
      expect((await store.load('doc')).rows).toEqual([row]);
      const again = await store.compact('doc', Y.encodeStateAsUpdate(copy), seq, new Set([row]));
      expect(again.missed).toEqual([]);
      expect(messagesOf(await rebuilt(nodes.a, 'doc'))).toEqual({
        m1: 'held',
        m2: 'not held',
        m3: 'held too',
      });
    });
  });
