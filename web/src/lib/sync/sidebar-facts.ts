/**
 * Sidebar facts: what a discussion document tells the sidebar (unread count, last message, my
 * messages waiting), written to the local cache as the document changes so the sidebar never has
 * to open a Y.Doc.
 */
import type * as Y from 'yjs';
import { lastMessage, unreadCount } from '@palabre/shared/discussion/index';
import { preview } from '@palabre/shared/text';
import type { DocInfo } from './storage.js';

export type SidebarFacts = Pick<DocInfo, 'unread' | 'pending' | 'last'>;

/**
 * `pending`: my messages not acknowledged in the document; `toReadd`: those kept aside after a
 * refused update, not written back yet (they are waiting too).
 */
export function sidebarFacts(doc: Y.Doc, me: string, pending: number, toReadd: number): SidebarFacts {
  const last = lastMessage(doc);
  return {
    unread: unreadCount(doc, me),
    pending: pending + toReadd,
    last: last ? { author: last.author, text: preview(last.text), ts: last.ts } : null,
  };
}
