/**
 * One generation of a discussion document in this tab: the Y.Doc with its local copy
 * (IndexedDB), its sync client, its read tracker and the compaction of its local copy. A refused
 * update (4422) or another tab's rebuild replaces the whole generation; SyncedDoc
 * (synced-doc.svelte.ts) decides when, and listens to its sync client.
 */
import * as Y from 'yjs';
import { ReadTracker, type MessageRecord } from '@palabre/shared/discussion/index';
import { DocSync, type SocketFactory } from '@palabre/shared/sync/index';
import { Compaction } from './compaction.js';
import { openLocalCopy, type LocalCopy } from './local-copy.js';

export interface GenerationOptions {
  /** The document's sync URL and how to open a socket to it. */
  url: string;
  socket: SocketFactory;
  /** The IndexedDB database of the local copy. */
  database: string;
  userId: string;
  /** Every update of the doc, registered before IndexedDB's: sending and relaying never depend on it. */
  onUpdate: (update: Uint8Array, origin: unknown) => void;
  /** A message mentioning me arrived from the server (not from IndexedDB or another tab). */
  onMention: (message: MessageRecord) => void;
  /** Whether this generation is still the document's and loaded (only then is it compacted). */
  live: () => boolean;
}

export class Generation {
  readonly sync: DocSync;
  readonly local: LocalCopy;
  /** My unread count, mentions, first unread and « Vu », kept up to date incrementally. */
  readonly tracker: ReadTracker;
  /** Resolves once IndexedDB content is in the doc (or could not be read), and SyncedDoc knows. */
  loaded: Promise<void> = Promise.resolve();
  readonly #compaction: Compaction;

  constructor(
    readonly doc: Y.Doc,
    private readonly options: GenerationOptions,
  ) {
    this.sync = new DocSync(doc, { url: options.url, socket: options.socket });
    doc.on('update', options.onUpdate);
    this.local = openLocalCopy(options.database, doc);
    this.tracker = new ReadTracker(doc, options.userId, {
      // Only what the server sends: IndexedDB and other tabs bring what was already announced.
      onMention: (message, origin) => {
        if (origin === this.sync) options.onMention(message);
      },
    });
    this.#compaction = new Compaction(doc, () => this.local.compact(), options.live);
  }

  async teardown(): Promise<void> {
    this.tracker.destroy();
    this.sync.destroy();
    this.doc.off('update', this.options.onUpdate);
    // A deleted text must not stay in the local copy because the document closed right after.
    await this.#compaction.flush();
    const closed = this.local.close();
    this.doc.destroy();
    await closed;
  }
}
