import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addMessage, deleteMessage, editMessage } from '@palabre/shared/discussion/index';
import { COMPACT_AFTER_MS, Compaction } from './compaction.js';

const ME = 'me00000000000000000a';

function setup(live = () => true) {
  const doc = new Y.Doc();
  const message = addMessage(doc, { author: ME, text: 'le code est 4512', now: 1_000 });
  const compact = vi.fn(() => Promise.resolve());
  const compaction = new Compaction(doc, compact, live);
  return { doc, message, compact, compaction };
}

describe('compacting the local copy after text is removed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('compacts once, a moment after a burst of edits and deletes', async () => {
    const { doc, message, compact } = setup();
    editMessage(doc, { id: message.id, author: ME, text: 'le code est ****', now: 2_000 });
    deleteMessage(doc, { id: message.id, by: ME, now: 3_000 });
    await vi.advanceTimersByTimeAsync(COMPACT_AFTER_MS - 1);
    expect(compact).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(compact).toHaveBeenCalledTimes(1);
  });

  it('does not compact for a new message (nothing removed)', async () => {
    const { doc, compact } = setup();
    addMessage(doc, { author: ME, text: 'un autre', now: 2_000 });
    await vi.advanceTimersByTimeAsync(COMPACT_AFTER_MS * 2);
    expect(compact).not.toHaveBeenCalled();
  });

  it('compacts at once when the document closes with a compaction due, and only once', async () => {
    const { doc, message, compact, compaction } = setup();
    deleteMessage(doc, { id: message.id, by: ME, now: 2_000 });
    await compaction.flush();
    expect(compact).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(COMPACT_AFTER_MS * 2);
    expect(compact).toHaveBeenCalledTimes(1);
    await compaction.flush();
    expect(compact).toHaveBeenCalledTimes(1);
  });

  it('leaves alone a document that is no longer current or not loaded', async () => {
    const { doc, message, compact } = setup(() => false);
    deleteMessage(doc, { id: message.id, by: ME, now: 2_000 });
    await vi.advanceTimersByTimeAsync(COMPACT_AFTER_MS);
    expect(compact).not.toHaveBeenCalled();
  });
});
