/**
 * The open discussion documents, ref-counted. A released document stays open ("warm") for a
 * while, so the sidebar can show live unread counts for recently read discussions and going
 * back to one is instant; the least recently released are closed beyond WARM_LIMIT.
 */
import { SvelteMap } from 'svelte/reactivity';
import { SyncedDoc } from './synced-doc.svelte.js';

const WARM_LIMIT = 8;

interface Entry {
  doc: SyncedDoc;
  refs: number;
}

type ClosedHandler = (doc: SyncedDoc, code: number) => void;

class DocRegistry {
  #entries = new SvelteMap<string, Entry>();
  /** Released documents, oldest first. */
  #warm: string[] = [];
  #userId: string | null = null;
  #closedHandlers = new Set<ClosedHandler>();

  /** Open (or reuse) the document of a discussion; pair every acquire with a release. */
  acquire(userId: string, id: string): SyncedDoc {
    if (this.#userId !== userId) {
      this.closeAll();
      this.#userId = userId;
    }
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { doc: new SyncedDoc(id, userId, (doc, code) => this.#onClosed(doc, code)), refs: 0 };
      this.#entries.set(id, entry);
    }
    entry.refs++;
    this.#warm = this.#warm.filter((warmId) => warmId !== id);
    return entry.doc;
  }

  release(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || entry.refs === 0) return;
    entry.refs--;
    if (entry.refs > 0) return;
    // A document the server refused will never sync again: no point keeping it warm.
    if (entry.doc.closed) {
      this.#close(id);
      return;
    }
    this.#warm.push(id);
    while (this.#warm.length > WARM_LIMIT) this.#close(this.#warm.shift()!);
  }

  /** The document if it is open (acquired or warm), without opening it. Reactive. */
  peek(id: string): SyncedDoc | undefined {
    return this.#entries.get(id)?.doc;
  }

  /** Close a document now, whoever holds it (the discussion was removed). */
  drop(id: string): void {
    this.#warm = this.#warm.filter((warmId) => warmId !== id);
    this.#close(id);
  }

  /** On sign-out: close every document and forget the user. */
  closeAll(): void {
    for (const id of [...this.#entries.keys()]) this.#close(id);
    this.#warm = [];
    this.#userId = null;
  }

  /** Called when the server closes a document for good (with the close code). */
  onClosed(handler: ClosedHandler): () => void {
    this.#closedHandlers.add(handler);
    return () => this.#closedHandlers.delete(handler);
  }

  #onClosed(doc: SyncedDoc, code: number): void {
    for (const handler of this.#closedHandlers) handler(doc, code);
  }

  #close(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    entry.doc.destroy();
  }
}

export const docs = new DocRegistry();
