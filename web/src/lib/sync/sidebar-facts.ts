/**
 * Sidebar facts: what a discussion document tells the sidebar (unread count, last message, my
 * messages waiting), written to the local cache as the document changes so the sidebar never has
 * to open a Y.Doc.
 */
import type * as Y from 'yjs';
import { ReadTracker, lastMessage, messagePreview } from '@palabre/shared/discussion/index';
import type { DocInfo } from './storage.js';

export type SidebarFacts = Pick<DocInfo, 'unread' | 'mentions' | 'pending' | 'last'>;

/** Unread and mention counts, from a live tracker, or (tests, one-offs) a scan of the document. */
export interface ReadCounts {
  unread: number;
  mentions: number;
}

function scan(doc: Y.Doc, me: string): ReadCounts {
  const tracker = new ReadTracker(doc, me);
  const counts = { unread: tracker.unread, mentions: tracker.mentions };
  tracker.destroy();
  return counts;
}

/**
 * `pending`: my messages not acknowledged in the document; `toReadd`: those kept aside after a
 * refused update, not written back yet (they are waiting too).
 */
export function sidebarFacts(
  doc: Y.Doc,
  me: string,
  pending: number,
  toReadd: number,
  counts: ReadCounts = scan(doc, me),
): SidebarFacts {
  const last = lastMessage(doc);
  return {
    unread: counts.unread,
    mentions: counts.mentions,
    pending: pending + toReadd,
    last: last ? { author: last.author, text: messagePreview(last), ts: last.ts } : null,
  };
}
