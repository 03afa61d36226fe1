/**
 * What sidebars show of each discussion, kept up to date as documents change: the last message
 * in display order (stored in the directory for the preview) and the summary sent to members
 * who have an events socket open. Fed by the DocManager's observer hooks (loaded, committed,
 * unloaded), so the sync layer knows nothing of messages or sidebars. Coalesced (150 ms),
 * written in one transaction, and yielding between announcements, so a burst across many
 * discussions never holds up the relay.
 */
import type * as Y from 'yjs';
import { LastMessageWatch, membersMap, messagePreview, type MessageRecord } from '@palabre/shared';
import type { Storage } from '../storage/types.js';
import type { DiscussionService } from './discussions.js';
import type { Notifier } from './ports.js';

interface Dirty {
  /** The new last message; undefined when no message changed since the last flush. */
  last: MessageRecord | null | undefined;
  memberIds: () => string[];
}

export class SidebarFeed {
  private readonly watches = new Map<string, { doc: Y.Doc; watch: LastMessageWatch }>();
  private readonly dirty = new Map<string, Dirty>();
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Flushes run one after another: stop() waits for one under way before storage closes. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly discussions: DiscussionService,
    private readonly events: Notifier,
    private readonly now: () => number = Date.now,
  ) {}

  loaded(docId: string, doc: Y.Doc): void {
    this.watches.get(docId)?.watch.stop();
    this.watches.set(docId, { doc, watch: new LastMessageWatch(doc) });
  }

  unloaded(docId: string): void {
    this.watches.get(docId)?.watch.stop();
    this.watches.delete(docId);
  }

  /** A committed update changed the document: note it, and flush within 150 ms. */
  committed(docId: string): void {
    const loaded = this.watches.get(docId);
    if (this.stopped || !loaded) return;
    const last = loaded.watch.takeChange();
    const previous = this.dirty.get(docId);
    this.dirty.set(docId, {
      last: last === undefined ? previous?.last : last,
      memberIds: () => [...membersMap(loaded.doc).keys()],
    });
    // A failed flush (storage unreachable) loses only a preview: the next commit writes it again.
    this.flushTimer ??= setTimeout(() => void this.flush().catch(() => undefined), 150);
  }

  /** Write what is pending and accept no more (server shutdown). */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = [...this.dirty.entries()];
    this.dirty.clear();
    const now = this.now();
    await this.storage.directory.setLastMessages(
      batch.flatMap(([id, { last }]) =>
        last === undefined
          ? []
          : [
              {
                discussionId: id,
                // null: every message was deleted, the stored preview goes too.
                lastMessage: last && { author: last.author, preview: messagePreview(last), ts: last.ts },
                activityAt: now,
              },
            ],
      ),
    );
    // Who listens is asked once for every member of every discussion in the batch (with several
    // nodes, one Redis round trip per flush rather than one per discussion).
    const members = batch.map(([id, { memberIds }]) => [id, memberIds()] as const);
    const listening = await this.events.listening(members.flatMap(([, ids]) => ids));
    for (const [id, ids] of members) {
      if (!ids.some(listening)) continue;
      if (await this.storage.directory.discussionById(id)) await this.discussions.announce(id);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
