import { describe, expect, it } from 'vitest';
import { appendBatcher, type AppendRow } from './append-batcher.js';

/** A store whose statements end when the test says so. */
function controlledStore() {
  const statements: { rows: AppendRow[]; end(error?: Error): void }[] = [];
  let next = 1;
  const insert = (rows: AppendRow[]) =>
    new Promise<number[]>((resolve, reject) => {
      statements.push({
        rows,
        end: (error) => (error ? reject(error) : resolve(rows.map(() => next++))),
      });
    });
  return { statements, insert };
}

const row = (docId: string) => new TextEncoder().encode(docId);
const tick = () => new Promise((r) => setTimeout(r, 0));
const docsOf = (rows: AppendRow[]) => rows.map((r) => r.docId);

describe('appends gathered into statements', () => {
  it('sends an append alone at once, and gathers those that come while statements are under way', async () => {
    const store = controlledStore();
    const append = appendBatcher({ insert: store.insert, inFlight: 2 });
    const a = append('a', row('a'));
    const b = append('b', row('b'));
    expect(store.statements.map((s) => docsOf(s.rows))).toEqual([['a'], ['b']]);
    const later = ['c', 'd', 'e'].map((id) => append(id, row(id)));
    expect(store.statements).toHaveLength(2); // both under way: c, d and e wait
    store.statements[0].end();
    expect(await a).toBe(1);
    await tick();
    expect(store.statements.map((s) => docsOf(s.rows))).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    store.statements[2].end();
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
    store.statements[1].end();
    expect(await b).toBe(5);
  });

  it('a failed statement fails its own appends only; the next ones are stored', async () => {
    const store = controlledStore();
    const append = appendBatcher({ insert: store.insert, inFlight: 1, maxRows: 2 });
    const first = append('a', row('a'));
    const waiting = ['b', 'c', 'd'].map((id) => append(id, row(id)));
    store.statements[0].end(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    expect(store.statements.map((s) => docsOf(s.rows))).toEqual([['a'], ['b', 'c']]); // at most 2 rows
    store.statements[1].end();
    await tick();
    store.statements[2].end();
    expect(await Promise.all(waiting)).toEqual([1, 2, 3]);
  });

  it('keeps a statement under its byte limit; a larger update goes alone', async () => {
    const store = controlledStore();
    const append = appendBatcher({ insert: store.insert, inFlight: 1, maxBytes: 10 });
    const sized = (docId: string, n: number) => append(docId, new Uint8Array(n));
    const all = [sized('a', 1), sized('b', 4), sized('c', 4), sized('d', 4), sized('e', 30), sized('f', 1)];
    for (let i = 0; i < 4; i++) {
      store.statements[i].end();
      await tick();
    }
    expect(store.statements.map((s) => docsOf(s.rows))).toEqual([['a'], ['b', 'c'], ['d'], ['e'], ['f']]);
    store.statements[4].end();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a statement that numbered fewer rows than it was given', async () => {
    const append = appendBatcher({ insert: () => Promise.resolve([7]), inFlight: 1 });
    const first = append('a', row('a'));
    const both = [append('b', row('b')), append('c', row('c'))];
    expect(await first).toBe(7);
    for (const p of both) await expect(p).rejects.toThrow('stored 1 of 2 rows');
  });
});
