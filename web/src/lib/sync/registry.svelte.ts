/**
 * The discussion documents in memory in this tab, one SyncedDoc per discussion, ref-counted.
 * A document is connected while someone holds it (the open thread, or the background pool for
 * the length of one sync) and disconnected as soon as nobody does: with the /api/events socket,
 * a tab never has more than 1 + 1 + pool size WebSockets, whatever the number of discussions.
 *
 * Released documents the user opened stay in memory, disconnected, for a quick return (a few of
 * them); documents only the pool opened are closed at once.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { MessageRecord } from '@palabre/shared/discussion/index';
import { SyncedDoc, type SyncedDocHooks } from './synced-doc.svelte.js';

/** Disconnected documents kept in memory after the user left them. */
const IDLE_LIMIT = 3;

interface Entry {
  doc: SyncedDoc;
  refs: number;
  /** Opened by the user (not only by the background pool). */
  foreground: boolean;
}

type StoppedHandler = (doc: SyncedDoc, code: number, reason: string) => void;
type DocHandler = (doc: SyncedDoc) => void;
type RejectedHandler = (doc: SyncedDoc, reason: string) => void;
type MentionHandler = (doc: SyncedDoc, message: MessageRecord) => void;

class DocRegistry {
  #entries = new SvelteMap<string, Entry>();
  /** Released foreground documents, oldest first. */
  #idle: string[] = [];
  #userId: string | null = null;
  #stopped = new Set<StoppedHandler>();
  #rejected = new Set<RejectedHandler>();
  #opened = new Set<DocHandler>();
  #closed = new Set<DocHandler>();
  #mentioned = new Set<MentionHandler>();
  #canWrite: (id: string) => boolean = () => true;
  #hooks: SyncedDocHooks = {
    onStopped: (doc, code, reason) => {
      for (const handler of this.#stopped) handler(doc, code, reason);
    },
    onRejected: (doc, reason) => {
      for (const handler of this.#rejected) handler(doc, reason);
    },
    canWrite: (id) => this.#canWrite(id),
    onMention: (doc, message) => {
      for (const handler of this.#mentioned) handler(doc, message);
    },
  };

  constructor() {
    if (typeof window !== 'undefined') {
      // Back online: every document holding a connection tries again now.
      window.addEventListener('online', () => this.retryAll());
    }
  }

  /**
   * Open (or reuse) the document of a discussion and connect it; pair with release().
   * `background`: the pool's temporary hold, which does not keep the document in memory.
   */
  acquire(userId: string, id: string, options: { background?: boolean } = {}): SyncedDoc {
    if (this.#userId !== userId) {
      this.closeAll();
      this.#userId = userId;
    }
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { doc: new SyncedDoc(id, userId, this.#hooks), refs: 0, foreground: false };
      this.#entries.set(id, entry);
      for (const handler of this.#opened) handler(entry.doc);
    }
    entry.refs++;
    if (!options.background) entry.foreground = true;
    this.#idle = this.#idle.filter((idleId) => idleId !== id);
    entry.doc.connect();
    return entry.doc;
  }

  /**
   * Start loading a document from IndexedDB without connecting it (the thread about to open):
   * the local copy loads while the page is still being built. Kept like a released document.
   */
  preload(userId: string, id: string): void {
    if (this.#userId !== userId) {
      this.closeAll();
      this.#userId = userId;
    }
    if (this.#entries.has(id)) return;
    const doc = new SyncedDoc(id, userId, this.#hooks);
    this.#entries.set(id, { doc, refs: 0, foreground: true });
    for (const handler of this.#opened) handler(doc);
    this.#idle.push(id);
    while (this.#idle.length > IDLE_LIMIT) this.#close(this.#idle.shift()!);
  }

  release(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || entry.refs === 0) return;
    entry.refs--;
    if (entry.refs > 0) return;
    entry.doc.disconnect();
    if (!entry.foreground || entry.doc.closed) {
      this.#close(id);
      return;
    }
    this.#idle.push(id);
    while (this.#idle.length > IDLE_LIMIT) this.#close(this.#idle.shift()!);
  }

  /** The document if it is in memory, without opening it. Reactive. */
  peek(id: string): SyncedDoc | undefined {
    return this.#entries.get(id)?.doc;
  }

  /** Whether the document is held with a connection right now. */
  held(id: string): boolean {
    return (this.#entries.get(id)?.refs ?? 0) > 0;
  }

  /** Documents holding a connection (the open thread and the pool's jobs). */
  get connectedCount(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.refs > 0 && entry.doc.connected) count++;
    return count;
  }

  /** Every document in memory. */
  all(): SyncedDoc[] {
    return [...this.#entries.values()].map((entry) => entry.doc);
  }

  /** Close a document now, whoever holds it (the discussion was removed). */
  drop(id: string): void {
    this.#idle = this.#idle.filter((idleId) => idleId !== id);
    this.#close(id);
  }

  /** On sign-out: close every document and forget the user. */
  closeAll(): void {
    for (const id of [...this.#entries.keys()]) this.#close(id);
    this.#idle = [];
    this.#userId = null;
  }

  retryAll(): void {
    for (const entry of this.#entries.values()) if (entry.refs > 0) entry.doc.retryNow();
  }

  /** The server closed a document for good (4401, 4403, 4404). */
  onStopped(handler: StoppedHandler): () => void {
    return subscribe(this.#stopped, handler);
  }

  /** The server refused an update; the document was rebuilt from its copy. */
  onRejected(handler: RejectedHandler): () => void {
    return subscribe(this.#rejected, handler);
  }

  /** A document was opened in this tab (search follows its changes). */
  onOpen(handler: DocHandler): () => void {
    return subscribe(this.#opened, handler);
  }

  /** A document was closed in this tab. */
  onClose(handler: DocHandler): () => void {
    return subscribe(this.#closed, handler);
  }

  /** A message mentioning me arrived from the server, unread (any document, open or in the pool). */
  onMention(handler: MentionHandler): () => void {
    return subscribe(this.#mentioned, handler);
  }

  /** Tells documents whether I may post (they re-add my messages after a refusal only if so). */
  setWritePolicy(canWrite: (id: string) => boolean): void {
    this.#canWrite = canWrite;
  }

  #close(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    for (const handler of this.#closed) handler(entry.doc);
    entry.doc.destroy();
  }
}

export const docs = new DocRegistry();

/** Adds `handler` to `set`; the returned function takes it out again. */
function subscribe<T>(set: Set<T>, handler: T): () => void {
  set.add(handler);
  return () => set.delete(handler);
}
