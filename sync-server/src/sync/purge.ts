/**
 * Deleted means gone: when a committed change took text out of a document (an edit or a delete,
 * see shared/discussion/edits.ts), its stored history is compacted soon, so the old text leaves
 * the database files too (the snapshot no longer holds it; SQLite zeroes freed pages and the WAL
 * is truncated, see storage/sqlite.ts).
 */
import type * as Y from 'yjs';
import { messagesMap, removesText, type MessageRecord } from '@palabre/shared';
import type { DocManager, DocObserver } from './doc-manager.js';

export class PurgeWatch implements DocObserver {
  private readonly removed = new Set<string>();
  private readonly stops = new Map<string, () => void>();

  constructor(private readonly docs: Pick<DocManager, 'compactSoon'>) {}

  loaded(docId: string, doc: Y.Doc): void {
    const map = messagesMap(doc);
    const onChange = (event: Y.YMapEvent<MessageRecord>) => {
      if (removesText(event)) this.removed.add(docId);
    };
    map.observe(onChange);
    this.stops.set(docId, () => map.unobserve(onChange));
  }

  committed(docId: string): void {
    if (!this.removed.delete(docId)) return;
    this.docs.compactSoon(docId);
  }

  unloaded(docId: string): void {
    this.removed.delete(docId);
    this.stops.get(docId)?.();
    this.stops.delete(docId);
  }
}
