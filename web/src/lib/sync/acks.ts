/**
 * Acknowledgements and pending state of one discussion document in this tab. The server
 * acknowledges by sending its state vector; whatever it sends is stored there too. The union of
 * both (the acknowledged vector) is kept beside the document (localStorage, shared with the other
 * tabs) and tells which of my messages are still waiting: those it does not cover.
 */
import type * as Y from 'yjs';
import { mergeCursor, type MessageRecord, type ReadCursor } from '@palabre/shared/discussion/index';
import { acknowledge, pendingMessages } from '@palabre/shared/sync/index';
import { cursorOfUpdate } from './offline.js';

/** Where the vector lives between visits (localStorage in the app, a Map in tests). */
export interface AckStore {
  load(): ReadCursor | null;
  /** Merge into what is stored (by max, another tab may have stored more) and return the union. */
  merge(next: ReadCursor): ReadCursor;
  clear(): void;
}

export class Acknowledgements {
  #acked: ReadCursor | undefined;
  /** My messages not acknowledged yet, by id: replaced (never mutated) when it changes. */
  #pendingIds: ReadonlySet<string> = new Set();

  constructor(private readonly store: AckStore) {
    this.#acked = store.load() ?? undefined;
  }

  get vector(): ReadCursor | undefined {
    return this.#acked;
  }

  get pendingIds(): ReadonlySet<string> {
    return this.#pendingIds;
  }

  /**
   * The server's state vector after it committed an update. Returns the stored union to share
   * with the other tabs, or null when it adds nothing.
   */
  fromServerAck(stateVector: Uint8Array): ReadCursor | null {
    return this.#store(acknowledge(this.#acked, stateVector));
  }

  /** An update the server sent: its items are stored there, so they count as acknowledged. */
  fromServerUpdate(update: Uint8Array): ReadCursor | null {
    return this.#store(mergeCursor(this.#acked, cursorOfUpdate(update)));
  }

  /** Another tab's acknowledgements (already stored by it). True when they add something. */
  fromOtherTab(acked: ReadCursor): boolean {
    const merged = mergeCursor(this.#acked, acked);
    if (!merged) return false;
    this.#acked = merged;
    return true;
  }

  /** Read again what is stored (after another tab rebuilt the document). */
  reload(): void {
    this.#acked = this.store.load() ?? undefined;
  }

  /** The document is discarded: its acknowledgements go with it. */
  forget(): void {
    this.store.clear();
    this.#acked = undefined;
    this.#pendingIds = new Set();
  }

  /** My waiting messages in doc, in display order; `pendingIds` follows (a new set only on change). */
  pending(doc: Y.Doc, me: string): MessageRecord[] {
    const pending = pendingMessages(doc, me, this.#acked);
    const previous = this.#pendingIds;
    if (pending.length !== previous.size || pending.some((m) => !previous.has(m.id))) {
      this.#pendingIds = new Set(pending.map((m) => m.id));
    }
    return pending;
  }

  #store(next: ReadCursor | null): ReadCursor | null {
    if (!next) return null;
    this.#acked = this.store.merge(next);
    return this.#acked;
  }
}
