import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, deleteMessage, messagesMap, pin, pinsMap, purgedBefore } from './index.js';
import { applyPurge, cutoffOf, DAY_MS, effectiveDays, planPurge } from './retention.js';

const ids = { f1: 'f1f1f1f1f1f1f1f1f1f1', f2: 'f2f2f2f2f2f2f2f2f2f2', oldUpload: 'o0o0o0o0o0o0o0o0o0o0' };
const file = (id: string) => ({ id, name: `${id}.txt`, type: 'text/plain', size: 3 });

function discussion() {
  const doc = new Y.Doc();
  const old = addMessage(doc, { author: 'a', text: 'old and plain', now: 1_000 });
  const oldPinned = addMessage(doc, { author: 'a', text: 'old and pinned', now: 1_001 });
  pin(doc, oldPinned.id, 'a', 1_002);
  const oldDeleted = addMessage(doc, { author: 'a', text: 'old, deleted', now: 1_003 });
  deleteMessage(doc, { id: oldDeleted.id, by: 'a', now: 1_004 });
  const oldWithFiles = addMessage(doc, {
    author: 'a',
    text: '',
    files: [file(ids.f1), file(ids.f2)],
    now: 1_005,
  });
  const recent = addMessage(doc, { author: 'a', text: 'recent', files: [file(ids.f2)], now: 10_000 });
  return { doc, old, oldPinned, oldDeleted, oldWithFiles, recent };
}

const uploads = [
  { id: ids.f1, createdAt: 900 },
  { id: ids.f2, createdAt: 900 },
  { id: ids.oldUpload, createdAt: 100 },
  { id: 'never-sent-new', createdAt: 9_000 },
];

describe('retention plan', () => {
  it('purges what is older than the cut-off, keeps pinned messages when asked, and counts messages only', () => {
    const d = discussion();
    const plan = planPurge(d.doc, { cutoff: 5_000, keepPinned: true, files: uploads });
    expect(plan.messageIds.sort()).toEqual([d.old.id, d.oldDeleted.id, d.oldWithFiles.id].sort());
    expect(plan.messages).toBe(2);
    // f2 is still attached to a recent message; an old upload never sent goes, a recent one stays.
    expect(plan.fileIds.sort()).toEqual([ids.f1, ids.oldUpload].sort());
    const all = planPurge(d.doc, { cutoff: 5_000, keepPinned: false, files: uploads });
    expect(all.messageIds).toContain(d.oldPinned.id);
    expect(all.messages).toBe(3);
  });

  it('applies the plan: entries and pins gone, the cut-off recorded, only forward', () => {
    const d = discussion();
    const plan = planPurge(d.doc, { cutoff: 5_000, keepPinned: false, files: [] });
    d.doc.transact(() => applyPurge(d.doc, plan, 5_000));
    expect([...messagesMap(d.doc).keys()]).toEqual([d.recent.id]);
    expect(pinsMap(d.doc).size).toBe(0);
    expect(purgedBefore(d.doc)).toBe(5_000);
    applyPurge(d.doc, { messageIds: [d.recent.id], messages: 1, fileIds: [] }, 4_000);
    expect(purgedBefore(d.doc)).toBe(5_000);
  });

  it('takes a discussion’s override over the organisation’s period', () => {
    expect(effectiveDays({ days: 30, keepPinned: true }, null)).toBe(30);
    expect(effectiveDays({ days: 30, keepPinned: true }, 7)).toBe(7);
    expect(effectiveDays({ days: null, keepPinned: true }, 7)).toBe(7);
    expect(effectiveDays({ days: null, keepPinned: true }, null)).toBeNull();
    expect(cutoffOf(2, 10 * DAY_MS)).toBe(8 * DAY_MS);
  });
});
