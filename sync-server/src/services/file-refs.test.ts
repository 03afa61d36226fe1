/**
 * FileRefs' cache of a loaded discussion's files against a storage that changes behind it (another
 * node's upload or removal): a fresh read finds a new file, and never brings back a removed one.
 * The same through real nodes: tests/integration/cluster.test.ts.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { FileRef } from '@palabre/shared';
import { FileRefs } from './file-refs.js';

const file = (id: string): FileRef => ({ id, name: `${id}.txt`, type: 'text/plain', size: 1 });

function setup() {
  const stored: FileRef[] = [file('a')];
  let reads = 0;
  const refs = new FileRefs(
    async () => {
      reads++;
      return stored.slice();
    },
    async () => undefined,
  );
  refs.loaded('d', new Y.Doc());
  return { refs, stored, reads: () => reads };
}

describe('FileRefs', () => {
  it('reads the files once; a fresh read finds a file uploaded elsewhere since', async () => {
    const { refs, stored, reads } = setup();
    expect((await refs.context('d')).fileOf?.('a')).toMatchObject({ name: 'a.txt' });
    stored.push(file('b')); // uploaded through another node: no `added` here
    expect((await refs.context('d')).fileOf?.('b')).toBeNull();
    expect(reads()).toBe(1);
    expect((await refs.context('d', { fresh: true })).fileOf?.('b')).toMatchObject({ name: 'b.txt' });
    expect(reads()).toBe(2);
  });

  it('forgets a removed file, and a fresh read begun before its removal does not bring it back', async () => {
    const { refs } = setup();
    await refs.context('d');
    // Storage still lists it (a read under way when it was removed): it stays forgotten.
    refs.forget('d', ['a']);
    expect((await refs.context('d', { fresh: true })).fileOf?.('a')).toBeNull();
  });

  it('announces removed files to every node (this one through the announcement too)', async () => {
    const told: [string, string[]][] = [];
    const refs = new FileRefs(
      async () => [file('a')],
      async () => undefined,
      (docId, ids) => told.push([docId, ids]),
    );
    refs.loaded('d', new Y.Doc());
    await refs.context('d');
    refs.removed('d', []);
    refs.removed('d', ['a']);
    expect(told).toEqual([['d', ['a']]]);
  });
});
