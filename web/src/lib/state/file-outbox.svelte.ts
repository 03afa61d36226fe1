/**
 * Messages with files, from « Envoyer » to the document. A message with files is kept in the
 * outbox (IndexedDB, bytes included: it survives a reload), shown « En attente » in its thread,
 * its files uploaded one at a time with their progress, and only once every file has its id is
 * the message written to the discussion's document (the server refuses a reference to a file it
 * has not received: `foreign_file`). The order rules are shared/src/sync/file-outbox.ts.
 *
 * Offline, nothing is tried; `online` starts again at once, a failed attempt is retried with
 * backoff. A refusal (the file is too large for the server now, the discussion is gone) stops
 * that message with the reason; the user removes it.
 */
import { SvelteMap } from 'svelte/reactivity';
import { addMessage, latestTs, messagesMap } from '@palabre/shared/discussion/index';
import { backoffDelay } from '@palabre/shared/sync/backoff';
import { nextUpload, readyToWrite, refsOf, reserveTs, withUploaded } from '@palabre/shared/sync/file-outbox';
import { ErrorCode } from '@palabre/shared/errors';
import { newId } from '@palabre/shared/ids';
import { ApiError, NETWORK } from '$lib/api.js';
import { OutboxStore, type StoredEntry } from '$lib/files/store.js';
import { uploadFile, type UploadHandle } from '$lib/files/upload.js';
import { docs } from '$lib/sync/registry.svelte.js';
import type { SyncedDoc } from '$lib/sync/synced-doc.svelte.js';
import { session } from './session.svelte.js';

/** How long a written message keeps its document connected for the server's acknowledgement. */
const ACK_WAIT_MS = 30_000;

class FileOutbox {
  /** Waiting messages, oldest first. */
  entries = $state.raw<StoredEntry[]>([]);
  /** Upload progress per file key (0 to 1), while its upload runs. */
  progress = new SvelteMap<string, number>();
  #store: OutboxStore | null = null;
  #user: string | null = null;
  #running = false;
  #current: UploadHandle | null = null;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #loaded: Promise<void> = Promise.resolve();

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('online', () => this.#retryNow());
    session.onSignOut(() => this.stop());
  }

  /** Load the signed-in user's outbox and send what waits (called when the app shell opens). */
  start(user: string): void {
    if (this.#user === user) return;
    this.stop();
    this.#user = user;
    const store = new OutboxStore(user);
    this.#store = store;
    this.#loaded = store
      .all()
      .then((stored) => {
        if (this.#store !== store) return;
        this.entries = [...stored, ...this.entries].sort((a, b) => a.ts - b.ts);
        this.#kick();
      })
      .catch(() => undefined);
  }

  stop(): void {
    this.#current?.abort();
    this.#current = null;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    void this.#store?.close();
    this.#store = null;
    this.#user = null;
    this.entries = [];
    this.progress.clear();
  }

  /** The messages of one discussion still waiting here. */
  of(discussionId: string): StoredEntry[] {
    return this.entries.filter((e) => e.discussionId === discussionId);
  }

  /** The clock value for a message sent now in this discussion (after its queued messages). */
  reserveTs(doc: SyncedDoc, discussionId: string, now: number): number {
    return reserveTs(latestTs(doc.doc), this.entries, discussionId, now);
  }

  /** Queue a message with files; resolves once it is in IndexedDB (a reload keeps it). */
  async add(doc: SyncedDoc, text: string, files: File[]): Promise<void> {
    const user = this.#user;
    if (!user || !this.#store) throw new Error('The outbox is not started');
    const entry: StoredEntry = {
      messageId: newId(),
      discussionId: doc.id,
      author: user,
      text,
      ts: this.reserveTs(doc, doc.id, session.now()),
      files: files.map((file) => ({
        key: newId(),
        name: file.name || 'fichier',
        type: file.type,
        size: file.size,
        blob: file,
      })),
    };
    this.entries = [...this.entries, entry];
    await this.#loaded;
    await this.#store.put(entry);
    this.#kick();
  }

  /** Take a waiting message back (cancels its upload). */
  async remove(messageId: string): Promise<void> {
    if (
      this.#current &&
      this.entries.find((e) => e.messageId === messageId)?.files.some((f) => this.progress.has(f.key))
    )
      this.#current.abort();
    this.entries = this.entries.filter((e) => e.messageId !== messageId);
    await this.#store?.delete(messageId);
  }

  #retryNow(): void {
    this.#attempt = 0;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#kick();
  }

  /** Run the loop unless it runs already. */
  #kick(): void {
    if (this.#running || !this.#store) return;
    this.#running = true;
    void this.#run().finally(() => (this.#running = false));
  }

  async #run(): Promise<void> {
    const store = this.#store;
    while (store && this.#store === store) {
      // Messages whose files all have ids go to their documents first.
      for (const entry of readyToWrite(this.entries)) if (!(await this.#write(entry))) return this.#later();
      const next = nextUpload(this.entries);
      if (!next) return;
      if (!navigator.onLine) return; // `online` starts again
      const { entry, file } = next;
      this.progress.set(file.key, 0);
      const handle = uploadFile(entry.discussionId, file.blob, file.name, (f) =>
        this.progress.set(file.key, f),
      );
      this.#current = handle;
      try {
        const ref = await handle.done;
        if (this.#store !== store) return;
        const current = this.entries.find((e) => e.messageId === entry.messageId);
        if (!current) continue; // removed meanwhile
        const updated = withUploaded(current, file.key, ref);
        await store.put(updated);
        this.entries = this.entries.map((e) => (e.messageId === entry.messageId ? updated : e));
        this.#attempt = 0;
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') continue;
        if (
          error instanceof ApiError &&
          error.code !== NETWORK &&
          error.status < 500 &&
          error.status !== 401
        ) {
          await this.#fail(entry.messageId, error.code);
          continue;
        }
        return this.#later();
      } finally {
        this.#current = null;
        this.progress.delete(file.key);
      }
    }
  }

  /** Try again after a growing delay (server down, session to renew). */
  #later(): void {
    if (this.#retryTimer || !this.#store) return;
    const delay = Math.max(1000, backoffDelay(this.#attempt++, { baseMs: 1000, maxMs: 30_000 }));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#kick();
    }, delay);
  }

  async #fail(messageId: string, reason: string): Promise<void> {
    const entry = this.entries.find((e) => e.messageId === messageId);
    if (!entry) return;
    const failed = { ...entry, failed: reason };
    this.entries = this.entries.map((e) => (e.messageId === messageId ? failed : e));
    await this.#store?.put(failed);
  }

  /**
   * Write the message of an entry whose files are uploaded, exactly once (its id is fixed: if the
   * document already has it, an earlier write went through), then drop the entry. False when the
   * document cannot take it now (being rebuilt): tried again later.
   */
  async #write(entry: StoredEntry): Promise<boolean> {
    const user = this.#user;
    if (!user) return false;
    const synced = docs.acquire(user, entry.discussionId, { background: true });
    let held = true;
    try {
      await synced.whenLoaded;
      if (synced.closed) {
        await this.#fail(entry.messageId, ErrorCode.NotMember);
        return true;
      }
      if (!synced.writable) return false;
      if (!messagesMap(synced.doc).has(entry.messageId)) {
        addMessage(synced.doc, {
          id: entry.messageId,
          author: entry.author,
          text: entry.text,
          files: refsOf(entry),
          now: session.now(),
          ts: entry.ts,
        });
      }
      this.entries = this.entries.filter((e) => e.messageId !== entry.messageId);
      await this.#store?.delete(entry.messageId);
      // Keep the document connected until the server has the message (the thread may be closed).
      held = false;
      void releaseWhenAcked(synced, entry.messageId);
      return true;
    } finally {
      if (held) docs.release(entry.discussionId);
    }
  }
}

async function releaseWhenAcked(synced: SyncedDoc, messageId: string): Promise<void> {
  const started = Date.now();
  let seenPending = false;
  await new Promise<void>((resolve) => {
    let unsubscribe = () => {};
    const check = () => {
      if (synced.pendingIds.has(messageId)) seenPending = true;
      const acked = seenPending ? !synced.pendingIds.has(messageId) : Date.now() - started > 3000;
      if (acked || Date.now() - started > ACK_WAIT_MS || synced.closed) {
        unsubscribe();
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(check, 1000);
    unsubscribe = synced.subscribe(check);
  });
  docs.release(synced.id);
}

export const fileOutbox = new FileOutbox();
