/**
 * What PostgreSQL storage guarantees beyond the contract suites: several nodes share it. Each test
 * runs on a fresh database (test-databases.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from './postgres-files.js';
import { openPostgres } from './postgres.js';
import { messagesOf, POSTGRES_TESTS, rebuilt, twoNodesOnOneDatabase } from './test-databases.js';

if (POSTGRES_TESTS)
  describe('PostgreSQL storage shared by several nodes', () => {
    const nodes = twoNodesOnOneDatabase();

    it('creates its schema once and opens an existing database without migrating again', async () => {
      const { rows } = await nodes.a.pool.query<{ name: string }>('SELECT name FROM pgmigrations');
      expect(rows.map((r) => r.name)).toEqual([
        '1764504000000_initial-schema',
        '1764590400000_archives-and-retention',
        '1764676800000_daily-runs',
        '1764763200000_snapshot-rows',
      ]);
      await nodes.a.directory.insertUser({
        id: 'ana',
        username: 'ana',
        displayName: 'Ana',
        passwordHash: 'x',
        role: 'admin',
        disabled: false,
        createdAt: 1,
      });
      const again = await openPostgres(nodes.db.url);
      try {
        expect((await again.directory.userById('ana'))?.displayName).toBe('Ana');
        expect((await again.pool.query('SELECT name FROM pgmigrations')).rowCount).toBe(4);
      } finally {
        await again.close();
      }
    });

    it('two nodes compacting the same discussion, each knowing only its own updates, keep every update', async () => {
      const writers = [new Y.Doc(), new Y.Doc()];
      const appended: number[] = [];
      for (let i = 0; i < 40; i++) {
        const w = writers[i % 2];
        const before = Y.encodeStateVector(w);
        w.getMap('messages').set(`m${i}`, `message ${i}`);
        appended.push(await (i % 2 ? nodes.b : nodes.a).docs.append('doc', Y.encodeStateAsUpdate(w, before)));
      }
      // Each node compacts with a snapshot of only its own writer's updates; the second
      // compaction covers the first one's snapshot.
      await nodes.b.docs.compact('doc', Y.encodeStateAsUpdate(writers[1]), appended.at(-2)!);
      await nodes.a.docs.compact('doc', Y.encodeStateAsUpdate(writers[0]), appended.at(-1)!);
      const doc = await rebuilt(nodes.a, 'doc');
      expect(Object.keys(messagesOf(doc))).toHaveLength(40);
      expect(await nodes.a.docs.version('doc')).toBe(appended.at(-1));
    });

    it("reads the versions of several documents at once, what each one's version says, 0 for one never written", async () => {
      const update = (text: string) => {
        const doc = new Y.Doc();
        doc.getMap('messages').set(text, text);
        return Y.encodeStateAsUpdate(doc);
      };
      await nodes.a.docs.append('v1', update('a'));
      await nodes.b.docs.append('v2', update('b'));
      await nodes.a.docs.append('v1', update('c'));
      const versions = await nodes.b.docs.versions!(['v1', 'v2', 'never']);
      expect([...versions]).toEqual([
        ['v1', await nodes.a.docs.version('v1')],
        ['v2', await nodes.a.docs.version('v2')],
        ['never', 0],
      ]);
      expect(versions.get('v1')).toBeGreaterThan(versions.get('v2')!);
    });

    it('appends of many discussions at once go in a few transactions, each one numbered and stored in its order', async () => {
      const writers = Array.from({ length: 100 }, () => new Y.Doc());
      const update = (w: Y.Doc, i: number) => {
        const before = Y.encodeStateVector(w);
        w.getMap('messages').set(`m${i}`, `message ${i}`);
        return Y.encodeStateAsUpdate(w, before);
      };
      // Each discussion's own appends one after the other (as its queue commits them), all at once.
      const seqs = await Promise.all(
        writers.map(async (w, d) => {
          const mine: number[] = [];
          for (let i = 0; i < 3; i++) mine.push(await nodes.a.docs.append(`d${d}`, update(w, i)));
          return mine;
        }),
      );
      // Rows written by one transaction share its id (xmin).
      const { rows } = await nodes.a.pool.query<{ n: number }>(
        'SELECT count(DISTINCT xmin::text)::int AS n FROM doc_updates',
      );
      expect(rows[0].n).toBeLessThan(100);
      expect(new Set(seqs.flat()).size).toBe(300);
      for (const [d, mine] of seqs.entries()) {
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
        const { lastSeq } = await nodes.b.docs.load(`d${d}`);
        expect(lastSeq).toBe(mine[2]);
        expect(messagesOf(await rebuilt(nodes.b, `d${d}`))).toEqual({
          m0: 'message 0',
          m1: 'message 1',
          m2: 'message 2',
        });
      }
    });

    it('keeps file bytes in chunks, and reads a large file back one chunk at a time', async () => {
      const bytes = randomBytes(CHUNK_BYTES * 3 + 1234);
      async function* source() {
        for (let i = 0; i < bytes.length; i += 10_000) yield bytes.subarray(i, i + 10_000);
      }
      const { hash, size } = await nodes.a.blobs.put(source());
      expect(size).toBe(bytes.length);
      expect(hash).toBe(createHash('sha256').update(bytes).digest('hex'));
      const { rows } = await nodes.a.pool.query<{ n: number; len: number }>(
        'SELECT n, length(data) AS len FROM blob_chunks WHERE blob = $1 ORDER BY n',
        [hash],
      );
      expect(rows.map((r) => r.len)).toEqual([CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 1234]);
      const parts: Buffer[] = [];
      for await (const chunk of (await nodes.b.blobs.get(hash))!) parts.push(chunk as Buffer);
      expect(parts).toHaveLength(4);
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      // The same bytes uploaded by the other node at once are kept once.
      await Promise.all([nodes.a.blobs.put(source()), nodes.b.blobs.put(source())]);
      expect((await nodes.a.pool.query('SELECT 1 FROM blob_chunks')).rowCount).toBe(4);
    });

    it('indexes files by discussion and tells which bytes nothing points at any more', async () => {
      await nodes.a.directory.insertUser({
        id: 'ana',
        username: 'ana',
        displayName: 'Ana',
        passwordHash: 'x',
        role: 'user',
        disabled: false,
        createdAt: 1,
      });
      await nodes.a.directory.insertDiscussion(
        {
          id: 'g',
          kind: 'group',
          title: 'G',
          createdBy: 'ana',
          createdAt: 1,
          directKey: null,
          lastActivityAt: 1,
          lastMessage: null,
          archivedAt: null,
          retentionDays: null,
        },
        [],
      );
      const file = (id: string, hash: string, previewHash: string | null) => ({
        id,
        discussionId: 'g',
        name: `${id}.png`,
        type: 'image/png',
        size: 10,
        hash,
        previewHash,
        uploadedBy: 'ana',
        createdAt: id.charCodeAt(0),
      });
      await nodes.a.files.insert(file('f1', 'h1', 'p1'));
      await nodes.a.files.insert(file('f2', 'h1', null));
      await nodes.a.files.insert(file('f3', 'h3', 'h1'));
      expect((await nodes.b.files.ofDiscussion('g')).map((f) => f.id)).toEqual(['f1', 'f2', 'f3']);
      expect(await nodes.b.files.byId('f3')).toEqual(file('f3', 'h3', 'h1'));
      expect(await nodes.b.files.remove(['f1'])).toEqual(['p1']);
      expect(await nodes.b.files.remove(['f2'])).toEqual([]); // f3's preview is still h1
      expect((await nodes.b.files.remove(['f3', 'unknown'])).sort()).toEqual(['h1', 'h3']);
      expect(await nodes.b.files.byId('f1')).toBeNull();
    });
  });
