/**
 * The DocStore contract: one suite, run against every adapter. An adapter that passes it can
 * replace another under the sync server without the server noticing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryDocStore } from './memory-doc-store.js';
import { openSqlite } from './sqlite.js';
import { onSqliteAndPostgres, openForEachTest } from './test-databases.js';
import type { DocStore } from './types.js';

interface Adapter {
  store: DocStore;
  close(): Promise<void>;
}

/** A Y.Doc that records each of its updates, as the sync server would append them. */
function writer() {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const write = (key: string, text: string) => doc.getMap('messages').set(key, text);
  return { doc, updates, write };
}

function rebuild(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

const contentOf = (doc: Y.Doc) => doc.getMap('messages').toJSON();

function docStoreContract(name: string, open: () => Promise<Adapter>) {
  describe(`DocStore contract: ${name}`, () => {
    let store: DocStore;
    openForEachTest(open, (adapter) => {
      store = adapter.store;
    });

    it('loads nothing, with sequence 0 and version 0, for a document never written', async () => {
      expect(await store.load('never-written')).toEqual({ updates: [], lastSeq: 0, rows: [] });
      expect(await store.version('never-written')).toBe(0);
    });

    it('returns appended updates byte for byte in append order, with the last sequence number', async () => {
      const w = writer();
      for (let i = 0; i < 5; i++) w.write(`m${i}`, `message ${i}`);
      const seqs: number[] = [];
      for (const u of w.updates) seqs.push(await store.append('doc-a', u));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);

      const { updates, lastSeq } = await store.load('doc-a');
      expect(lastSeq).toBe(seqs.at(-1));
      expect(await store.version('doc-a')).toBe(lastSeq);
      expect(updates.map((u) => [...u])).toEqual(w.updates.map((u) => [...u]));
      expect(contentOf(rebuild(updates))).toEqual(contentOf(w.doc));
    });

    it('keeps what was appended even if the caller reuses its buffer afterwards', async () => {
      const bytes = new Uint8Array([1, 2, 3, 4]);
      await store.append('doc-a', bytes.subarray(1, 3));
      bytes.fill(0);
      expect((await store.load('doc-a')).updates.map((u) => [...u])).toEqual([[2, 3]]);
    });

    it('compaction replaces exactly the updates up to upToSeq and keeps the later ones after the snapshot', async () => {
      const w = writer();
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) {
        w.write(`m${i}`, `message ${i}`);
        seqs.push(await store.append('doc-a', w.updates[i]));
      }
      const snapshot = Y.encodeStateAsUpdate(rebuild(w.updates.slice(0, 3)));
      const held = new Set((await store.load('doc-a')).rows.slice(0, 3));
      const { row, missed } = await store.compact('doc-a', snapshot, seqs[2], held);

      const { updates, lastSeq, rows } = await store.load('doc-a');
      expect(missed).toEqual([]); // the snapshot held every update it replaced: none folded in
      // Each row as a copy that loaded it holds it: the new snapshot, then the later updates.
      expect(rows).toEqual([row, String(seqs[3]), String(seqs[4])]);
      expect(lastSeq).toBe(seqs[4]);
      expect(await store.version('doc-a')).toBe(seqs[4]);
      expect(updates.map((u) => [...u])).toEqual([snapshot, w.updates[3], w.updates[4]].map((u) => [...u]));
      expect(contentOf(rebuild(updates))).toEqual(contentOf(w.doc));
    });

    it('rebuilds the same document after compacting everything, and keeps appending after it', async () => {
      const w = writer();
      let last = 0;
      for (let i = 0; i < 4; i++) {
        w.write(`m${i}`, `message ${i}`);
        last = await store.append('doc-a', w.updates[i]);
      }
      await store.compact('doc-a', Y.encodeStateAsUpdate(w.doc), last);
      expect((await store.load('doc-a')).updates).toHaveLength(1);
      expect((await store.load('doc-a')).lastSeq).toBe(last);
      expect(await store.version('doc-a')).toBe(last); // compaction does not change the version

      w.write('m4', 'after compaction');
      const next = await store.append('doc-a', w.updates[4]);
      expect(next).toBeGreaterThan(last);
      // A second compaction covers the first snapshot and the later update.
      await store.compact('doc-a', Y.encodeStateAsUpdate(w.doc), next);
      const { updates, lastSeq } = await store.load('doc-a');
      expect(updates).toHaveLength(1);
      expect(lastSeq).toBe(next);
      const rebuilt = rebuild(updates);
      expect(contentOf(rebuilt)).toEqual(contentOf(w.doc));
      expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(w.doc));
    });

    it('keeps documents apart: appends interleave, and compacting or removing one leaves the other whole', async () => {
      const a = writer();
      const b = writer();
      let lastA = 0;
      for (let i = 0; i < 4; i++) {
        a.write(`a${i}`, `A ${i}`);
        b.write(`b${i}`, `B ${i}`);
        lastA = await store.append('doc-a', a.updates[i]);
        await store.append('doc-b', b.updates[i]);
      }
      expect(contentOf(rebuild((await store.load('doc-a')).updates))).toEqual(contentOf(a.doc));
      expect(contentOf(rebuild((await store.load('doc-b')).updates))).toEqual(contentOf(b.doc));

      // doc-b's last rows have sequence numbers below lastA: compaction must not touch them.
      const beforeB = await store.load('doc-b');
      await store.compact('doc-a', Y.encodeStateAsUpdate(a.doc), lastA);
      expect(await store.load('doc-b')).toEqual(beforeB);

      await store.remove('doc-a');
      expect(await store.load('doc-a')).toEqual({ updates: [], lastSeq: 0, rows: [] });
      expect(await store.version('doc-a')).toBe(0);
      expect(await store.load('doc-b')).toEqual(beforeB);
      expect(await store.version('doc-b')).toBe(beforeB.lastSeq);
    });

    it('starts a removed document afresh when it is written again', async () => {
      const w = writer();
      w.write('old', 'before removal');
      await store.append('doc-a', w.updates[0]);
      await store.remove('doc-a');
      const fresh = writer();
      fresh.write('new', 'after removal');
      await store.append('doc-a', fresh.updates[0]);
      expect(contentOf(rebuild((await store.load('doc-a')).updates))).toEqual({ new: 'after removal' });
    });
  });
}

docStoreContract('memory', async () => ({ store: createMemoryDocStore(), close: async () => {} }));

onSqliteAndPostgres('palabre-docstore-', (storage) => ({ store: storage.docs }), docStoreContract);

describe('SQLite DocStore on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'palabre-docstore-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps updates and compactions when the file is closed and opened again', async () => {
    const file = join(dir, 'palabre.sqlite');
    const w = writer();
    const first = openSqlite(file);
    let last = 0;
    for (let i = 0; i < 6; i++) {
      w.write(`m${i}`, `message ${i}`);
      last = await first.docs.append('doc-a', w.updates[i]);
      if (i === 3) await first.docs.compact('doc-a', Y.encodeStateAsUpdate(w.doc), last);
    }
    await first.docs.append('doc-b', w.updates[0]);
    await first.close();

    const second = openSqlite(file);
    const { updates, lastSeq } = await second.docs.load('doc-a');
    expect(updates).toHaveLength(3); // the snapshot and the two updates after it
    expect(lastSeq).toBe(last);
    expect(contentOf(rebuild(updates))).toEqual(contentOf(w.doc));
    expect((await second.docs.load('doc-b')).updates).toHaveLength(1);
    // Appending continues after the reopened history, never inside it.
    expect(await second.docs.append('doc-a', w.updates[5])).toBeGreaterThan(lastSeq);
    await second.close();
  });
});
