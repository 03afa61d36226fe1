import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, messagesMap } from '@palabre/shared/discussion/index';
import { pendingMessages } from '@palabre/shared/sync/index';
import {
  connectionLabel,
  cursorOfUpdate,
  needsSync,
  resubmittable,
  syncOrder,
  type SyncCandidate,
} from './offline.js';
import { relayedFromMyPhone } from './relayed.test-helper.js';

const ME = 'me00000000000000000a';
const OTHER = 'other000000000000000';

describe('cursorOfUpdate', () => {
  it('covers every item of an update received from the server, so none of it shows as pending', () => {
    const { laptop, update } = relayedFromMyPhone(ME, 'from my phone');
    expect(pendingMessages(laptop, ME, undefined)).toHaveLength(1);
    expect(pendingMessages(laptop, ME, cursorOfUpdate(update))).toHaveLength(0);
  });

  it('does not cover what the update does not hold', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'first', now: 1_000 });
    const first = Y.encodeStateAsUpdate(doc);
    addMessage(doc, { author: ME, text: 'written offline', now: 2_000 });
    expect(pendingMessages(doc, ME, cursorOfUpdate(first)).map((m) => m.text)).toEqual(['written offline']);
  });
});

describe('resubmittable', () => {
  const valid = { id: 'abcdefghjk0123456789', author: ME, text: 'hello', ts: 1_700_000_000_000 };

  it('keeps my valid messages with the same id, time and text', () => {
    expect(resubmittable([valid], ME, true)).toEqual([valid]);
  });

  it('drops messages by others, malformed, blank or too long ones, and duplicates', () => {
    const out = resubmittable(
      [
        valid,
        { ...valid },
        { ...valid, id: 'x1234567890abcdefghj', author: OTHER },
        { ...valid, id: 'BAD ID' },
        { ...valid, id: 'y1234567890abcdefghj', text: '   ' },
        { ...valid, id: 'z1234567890abcdefghj', text: 'a'.repeat(10_001) },
        { ...valid, id: 'w1234567890abcdefghj', ts: Number.NaN },
        { ...valid, id: 'v1234567890abcdefghj', extra: true, text: 'fields beyond the schema are dropped' },
        null,
        'text',
      ],
      ME,
      true,
    );
    expect(out.map((m) => m.id)).toEqual([valid.id, 'v1234567890abcdefghj']);
    expect(out[1]).toEqual({
      id: 'v1234567890abcdefghj',
      author: ME,
      text: 'fields beyond the schema are dropped',
      ts: valid.ts,
    });
  });

  it('re-adds nothing when I may no longer post (a reader)', () => {
    expect(resubmittable([valid], ME, false)).toEqual([]);
  });

  it('accepts a message read back from a document', () => {
    const doc = new Y.Doc();
    const record = addMessage(doc, { author: ME, text: 'kept', now: 5_000 });
    expect(resubmittable([messagesMap(doc).get(record.id)], ME, true)).toEqual([record]);
  });
});

describe('needsSync and syncOrder', () => {
  const base: SyncCandidate = { id: 'a', version: 3, syncedVersion: 3, pending: 0, activityAt: 100 };

  it('syncs when the server has more, or when I have messages waiting', () => {
    expect(needsSync(base)).toBe(false);
    expect(needsSync({ ...base, version: 4 })).toBe(true);
    expect(needsSync({ ...base, pending: 1 })).toBe(true);
    expect(needsSync({ ...base, syncedVersion: 0, version: 1 })).toBe(true);
  });

  it('puts waiting messages first, then the most recent activity', () => {
    const order = syncOrder([
      { ...base, id: 'old', version: 9, activityAt: 10 },
      { ...base, id: 'recent', version: 9, activityAt: 50 },
      { ...base, id: 'uptodate', activityAt: 99 },
      { ...base, id: 'mine', pending: 2, activityAt: 1 },
    ]);
    expect(order).toEqual(['mine', 'recent', 'old']);
  });
});

describe('connectionLabel', () => {
  const link = { online: true, open: false, everOpen: false, failures: 0 };

  it('says offline when the browser is offline, whatever the socket', () => {
    expect(connectionLabel({ ...link, online: false, open: true })).toBe('offline');
  });

  it('says connected when open', () => {
    expect(connectionLabel({ ...link, open: true, everOpen: true })).toBe('connected');
  });

  it('says reconnecting after a drop, then offline once attempts keep failing', () => {
    expect(connectionLabel({ ...link, everOpen: true, failures: 1 })).toBe('reconnecting');
    expect(connectionLabel({ ...link, everOpen: true, failures: 3 })).toBe('offline');
  });

  it('says connecting only at the very start', () => {
    expect(connectionLabel(link)).toBe('connecting');
    expect(connectionLabel({ ...link, failures: 3 })).toBe('offline');
  });

  it('says offline for a document the server closed for good', () => {
    expect(connectionLabel({ ...link, open: false, everOpen: true, closed: true })).toBe('offline');
  });
});
