import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, latestTs, listMessages } from '../discussion/index.js';
import {
  attachProblem,
  nextUpload,
  readyToWrite,
  refsOf,
  reserveTs,
  withUploaded,
  type OutboxEntry,
} from './file-outbox.js';

const ref = (id: string, name: string) => ({ id, name, type: 'application/pdf', size: 10 });

function entry(messageId: string, ts: number, files: string[], discussionId = 'd1'): OutboxEntry {
  return {
    messageId,
    discussionId,
    author: 'alice',
    text: '',
    ts,
    files: files.map((name) => ({ key: `${messageId}-${name}`, name, type: 'application/pdf', size: 10 })),
  };
}

describe('file outbox', () => {
  it('uploads the oldest message first, file by file, and writes a message only once all its files have ids', () => {
    let second = entry('m2', 2000, ['b.pdf']);
    let first = entry('m1', 1000, ['a1.pdf', 'a2.pdf']);
    expect(nextUpload([second, first])?.file.name).toBe('a1.pdf');
    expect(readyToWrite([second, first])).toEqual([]);

    first = withUploaded(first, 'm1-a1.pdf', ref('aaaaaaaaaaaaaaaaaaa1', 'a1.pdf'));
    expect(nextUpload([second, first])?.file.name).toBe('a2.pdf');
    // One file of two has its id: the message still waits (the server would refuse the other).
    expect(readyToWrite([second, first])).toEqual([]);
    expect(() => refsOf(first)).toThrow(/not uploaded/);

    first = withUploaded(first, 'm1-a2.pdf', ref('aaaaaaaaaaaaaaaaaaa2', 'a2.pdf'));
    expect(readyToWrite([second, first]).map((e) => e.messageId)).toEqual(['m1']);
    expect(refsOf(first).map((f) => f.id)).toEqual(['aaaaaaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaaaaaa2']);
    expect(nextUpload([second, first])?.entry.messageId).toBe('m2');

    second = withUploaded(second, 'm2-b.pdf', ref('bbbbbbbbbbbbbbbbbbbb', 'b.pdf'));
    expect(readyToWrite([second, first]).map((e) => e.messageId)).toEqual(['m1', 'm2']);
    expect(nextUpload([second, first])).toBeNull();
  });

  it('skips a refused message (it waits for the user) and goes on with the next one', () => {
    const refused = { ...entry('m1', 1000, ['a.pdf']), failed: 'file_too_large' };
    const next = entry('m2', 2000, ['b.pdf']);
    expect(nextUpload([refused, next])?.entry.messageId).toBe('m2');
    expect(
      readyToWrite([{ ...refused, files: [{ ...refused.files[0], uploaded: ref('x'.repeat(20), 'a') }] }]),
    ).toEqual([]);
  });

  it('keeps a file message where it was sent, before a text sent after it but written first', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: 'bob', text: 'avant', now: 1000 });
    // Alice attaches a file (offline): the message waits for its upload, its place is taken now.
    const queued = entry('filemessage000000001', reserveTs(latestTs(doc), [], 'd1', 1500), ['plan.pdf']);
    // Then she writes a text at the same millisecond (a clock that did not move): it goes after.
    const textTs = reserveTs(latestTs(doc), [queued], 'd1', 1500);
    expect(textTs).toBeGreaterThan(queued.ts);
    addMessage(doc, { author: 'alice', text: 'le plan ci-dessus', now: 1500, ts: textTs });
    // A queued message of another discussion does not push this one.
    expect(reserveTs(latestTs(doc), [{ discussionId: 'd2', ts: 9999 }], 'd1', 1500)).toBe(textTs + 1);

    // Back online: the upload answers, the message is written now, after the text…
    const done = withUploaded(queued, queued.files[0].key, ref('pppppppppppppppppppp', 'plan.pdf'));
    addMessage(doc, {
      author: 'alice',
      id: done.messageId,
      text: '',
      files: refsOf(done),
      now: 5000,
      ts: done.ts,
    });
    // …and shows where it was sent.
    expect(listMessages(doc).map((m) => m.text || m.files?.[0].name)).toEqual([
      'avant',
      'plan.pdf',
      'le plan ci-dessus',
    ]);
  });

  it('refuses too large files and too many files before any upload', () => {
    expect(attachProblem([{ name: 'a', size: 100 }], 100)).toBeNull();
    expect(
      attachProblem(
        [
          { name: 'a', size: 100 },
          { name: 'gros.mov', size: 101 },
        ],
        100,
      ),
    ).toEqual({
      kind: 'too_large',
      name: 'gros.mov',
    });
    expect(
      attachProblem(
        Array.from({ length: 11 }, (_, i) => ({ name: `${i}`, size: 1 })),
        100,
      ),
    ).toEqual({
      kind: 'too_many',
    });
  });
});
