/**
 * The open discussion: its messages (from the local Y.Doc, live, each marked pending while the
 * server has not acknowledged it), sending, and read marking. One instance per opened thread;
 * call destroy() when the thread is closed.
 */
import {
  MAX_MESSAGE_LENGTH,
  MessageTooLongError,
  addMessage,
  deleteMessage,
  editMessage,
  compareMessages,
  getReadCursor,
  listFiles,
  listMessages,
  listPins,
  markRead,
  pin,
  sameMessage,
  unpin,
  normalizeText,
  type DiscussionFile,
  type FileRef,
  type MessageRecord,
  type PinEntry,
} from '@palabre/shared/discussion/index';
import type { StoredEntry } from '$lib/files/store.js';
import { fileOutbox } from './file-outbox.svelte.js';
import { CloseCode } from '@palabre/shared/close-codes';
import type { ConnectionLabel } from '$lib/sync/network.svelte.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { keys, mayKeep, readJson, removeKey, writeJson } from '$lib/sync/storage.js';
import type { SyncedDoc } from '$lib/sync/synced-doc.svelte.js';
import { directory } from './directory.svelte.js';
import { discussions } from './discussions.svelte.js';
import { notifications } from './notifications.svelte.js';
import { session } from './session.svelte.js';
import { handleError } from './toasts.svelte.js';

/** `busy`: the document is being rebuilt for a moment; the text stays in the composer. */
export type SendResult = 'sent' | 'empty' | 'too_long' | 'busy';
export type ThreadProblem = 'forbidden' | 'not_found' | 'closed' | null;

/** A file of a message still in the outbox: `progress` while it uploads, `done` once it has its id. */
export interface OutboxFileView extends FileRef {
  progress: number | null;
  done: boolean;
}

/** A message as shown: `pending` while the server has not acknowledged it (« En attente »). */
export interface DisplayMessage extends MessageRecord {
  pending: boolean;
  pinned?: boolean;
  /** Still in the file outbox (not in the document yet): its files and their uploads. */
  outbox?: { files: OutboxFileView[]; failed?: string };
}

/** The document's messages with the messages still waiting in the file outbox, in display order. */
export function withOutbox(
  messages: DisplayMessage[],
  waiting: StoredEntry[],
  progress: ReadonlyMap<string, number>,
): DisplayMessage[] {
  if (waiting.length === 0) return messages;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
  const written = new Set(messages.map((m) => m.id));
  const extra: DisplayMessage[] = waiting
    .filter((e) => !written.has(e.messageId))
    .map((e) => ({
      id: e.messageId,
      author: e.author,
      text: e.text,
      ts: e.ts,
      pending: true,
      outbox: {
        failed: e.failed,
        files: e.files.map((f) => ({
          id: f.key,
          name: f.name,
          type: f.type,
          size: f.size,
          progress: progress.get(f.key) ?? null,
          done: f.uploaded !== undefined,
        })),
      },
    }));
  return [...messages, ...extra].sort(compareMessages);
}

/** A pin as listed in « Messages épinglés »: the message is null when not in this document. */
export interface PinView extends PinEntry {
  messageId: string;
  message: DisplayMessage | null;
}

/** « Vu »: who (other than me) has seen my last message. */
export interface SeenView {
  messageId: string;
  by: string[];
}

export { MAX_MESSAGE_LENGTH };

/** How many of the last messages are kept to paint a thread before its document loads. */
const TAIL_SIZE = 60;

export class ThreadState {
  messages = $state.raw<DisplayMessage[]>([]);
  pins = $state.raw<PinView[]>([]);
  /** Every file of the discussion, newest first (« Fichiers »). */
  files = $state.raw<DiscussionFile[]>([]);
  /** What the thread shows: the messages, and mine still waiting for their files' upload. */
  shown = $derived.by(() => withOutbox(this.messages, fileOutbox.of(this.id), fileOutbox.progress));
  seen = $state.raw<SeenView | null>(null);
  /** « Nouveaux messages » goes above this message: my first unread one when I opened the thread. */
  dividerId = $state<string | null>(null);
  /** Set once the server's copy has arrived: later messages are read live, without a divider. */
  #dividerFixed = false;
  readonly #synced: SyncedDoc;
  readonly #userId: string;
  readonly #cleanup: (() => void)[] = [];
  /** Shown objects by id, reused while unchanged so a change re-renders only what changed. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private cache, never rendered
  #shown = new Map<string, DisplayMessage>();
  #destroyed = false;
  /** Painted from the last session's tail while the document loads from IndexedDB. */
  #fromTail = false;
  #tailTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly id: string) {
    const user = session.user;
    if (!user) throw new Error('ThreadState needs a signed-in user');
    this.#userId = user.id;
    this.#synced = docs.acquire(user.id, id);
    discussions.rememberOpen(id);
    notifications.openId = id;

    // Opening Palabre: paint the last messages seen here at once, then the document takes over.
    if (!this.#synced.loaded) {
      const tail = readJson<DisplayMessage[]>(keys.tail(user.id, id));
      if (Array.isArray(tail) && tail.length > 0) {
        this.messages = tail;
        this.#fromTail = true;
      }
    }
    this.#cleanup.push(this.#synced.subscribe(() => this.#update()));
    this.#update();

    const onVisible = () => this.markRead();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    this.#cleanup.push(() => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    });
  }

  #update(): void {
    if (this.#destroyed) return;
    if (this.#fromTail && !this.ready) return;
    this.#fromTail = false;
    const pending = this.#synced.pendingIds;
    const doc = this.#synced.doc;
    const pinned = listPins(doc);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const pinnedIds = new Set(pinned.map((p) => p.messageId));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- the next cache, never rendered
    const next = new Map<string, DisplayMessage>();
    const list = listMessages(doc).map((record) => {
      const isPending = pending.has(record.id);
      const isPinned = pinnedIds.has(record.id);
      const previous = this.#shown.get(record.id);
      const shown =
        previous &&
        previous.pending === isPending &&
        (previous.pinned ?? false) === isPinned &&
        sameMessage(previous, record)
          ? previous
          : { ...record, pending: isPending, pinned: isPinned };
      next.set(record.id, shown);
      return shown;
    });
    this.#shown = next;
    this.messages = list;
    this.pins = pinned.map((p) => ({ ...p, message: next.get(p.messageId) ?? null }));
    const files = listFiles(doc);
    if (files.map((f) => f.id).join() !== this.files.map((f) => f.id).join()) this.files = files;
    const tracker = this.#synced.tracker;
    const seen = tracker.seen();
    if (seen?.messageId !== this.seen?.messageId || seen?.by.join() !== this.seen?.by.join())
      this.seen = seen;
    if (!this.#dividerFixed) {
      // Before markRead below: where my unread messages begin, as I open the discussion.
      this.dividerId ??= tracker.firstUnread();
      if (this.#synced.synced) this.#dividerFixed = true;
    }
    this.#saveTail();
    directory.ensure(list.map((m) => m.author));
    // Outside the Yjs event: writing the read cursor starts a transaction of its own.
    queueMicrotask(() => this.markRead());
  }

  /** Keep the last messages for the next opening (debounced: one write per burst). */
  #saveTail(): void {
    if (!this.ready || this.#tailTimer) return;
    this.#tailTimer = setTimeout(() => {
      this.#tailTimer = null;
      if (this.#destroyed) return;
      this.#writeTail();
    }, 500);
  }

  /** The tail as shown, unless the discussion is gone (removed: nothing of it may stay behind). */
  #writeTail(): void {
    const key = keys.tail(this.#userId, this.id);
    if (this.problem || !mayKeep(this.#userId, this.id) || this.messages.length === 0) removeKey(key);
    else writeJson(key, this.messages.slice(-TAIL_SIZE));
  }

  /** True once the local copy (IndexedDB) or the server's copy has been loaded. */
  get ready(): boolean {
    return this.#synced.loaded || this.#synced.synced;
  }

  get connection(): ConnectionLabel {
    return this.#synced.label;
  }

  /** Why the thread cannot sync any more, if the server closed it for good. */
  get problem(): ThreadProblem {
    const closed = this.#synced.closed;
    if (!closed) return null;
    if (closed.code === CloseCode.Forbidden) return 'forbidden';
    if (closed.code === CloseCode.NotFound) return 'not_found';
    return 'closed';
  }

  /** Add a message to the local document; it leaves now, or as soon as the server is reachable. */
  send(text: string): SendResult {
    if (text.trim() === '') return 'empty';
    if (this.problem) return 'empty';
    if (!this.#synced.writable) return 'busy';
    try {
      const now = session.now();
      // After my messages still waiting for their files: they keep the place they were sent at.
      const ts = fileOutbox.reserveTs(this.#synced, this.id, now);
      addMessage(this.#synced.doc, { author: this.#userId, text, now, ts });
    } catch (error) {
      if (error instanceof MessageTooLongError) return 'too_long';
      throw error;
    }
    return 'sent';
  }

  /**
   * Send a message with files: it waits in the file outbox (IndexedDB) until every file is
   * uploaded, then is written to the document. The text may be empty.
   */
  sendFiles(text: string, files: File[]): SendResult {
    if (files.length === 0) return this.send(text);
    if (this.problem) return 'empty';
    if (!this.#synced.writable) return 'busy';
    const stored = normalizeText(text);
    if (stored.length > MAX_MESSAGE_LENGTH) return 'too_long';
    void fileOutbox.add(this.#synced, stored, files).catch(handleError);
    return 'sent';
  }

  /** Take back a message still waiting for its files. */
  cancelWaiting(messageId: string): void {
    void fileOutbox.remove(messageId).catch(handleError);
  }

  /** Change the text of my message. */
  edit(id: string, text: string): SendResult {
    if (text.trim() === '') return 'empty';
    if (!this.#synced.writable) return 'busy';
    try {
      editMessage(this.#synced.doc, { id, author: this.#userId, text, now: session.now() });
    } catch (error) {
      if (error instanceof MessageTooLongError) return 'too_long';
      throw error;
    }
    return 'sent';
  }

  /** Delete a message (mine, or anyone's for owners and moderators: the server checks). */
  remove(id: string): void {
    if (!this.#synced.writable) return;
    deleteMessage(this.#synced.doc, { id, by: this.#userId, now: session.now() });
  }

  pin(id: string): void {
    if (this.#synced.writable) pin(this.#synced.doc, id, this.#userId, session.now());
  }

  unpin(id: string): void {
    if (this.#synced.writable) unpin(this.#synced.doc, id);
  }

  /** Move my read cursor, but only while the thread is actually on screen. */
  markRead(): void {
    if (this.#destroyed || document.visibilityState !== 'visible' || !this.ready) return;
    if (!this.#synced.writable) return;
    // Nothing unread (the tracker knows without a scan): nothing to write.
    const doc = this.#synced.doc;
    if (this.#synced.tracker.unread === 0 && getReadCursor(doc, this.#userId) !== undefined) return;
    markRead(doc, this.#userId);
  }

  destroy(): void {
    if (this.#destroyed) return;
    if (this.#tailTimer) {
      clearTimeout(this.#tailTimer);
      this.#tailTimer = null;
      if (this.ready) this.#writeTail();
    }
    this.#destroyed = true;
    if (notifications.openId === this.id) notifications.openId = null;
    for (const fn of this.#cleanup) fn();
    docs.release(this.id);
  }
}
