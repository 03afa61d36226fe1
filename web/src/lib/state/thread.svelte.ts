/**
 * The open discussion: its messages (from the local Y.Doc, live), sending, and read marking.
 * One instance per opened thread; call destroy() when the thread is closed.
 */
import {
  MAX_MESSAGE_LENGTH,
  MessageTooLongError,
  addMessage,
  listMessages,
  markRead,
  messagesMap,
  type MessageRecord,
} from '@palabre/shared/discussion/index';
import { CloseCode } from '@palabre/shared/close-codes';
import type { ConnectionLabel } from '$lib/sync/network.svelte.js';
import { docs } from '$lib/sync/registry.svelte.js';
import type { SyncedDoc } from '$lib/sync/synced-doc.svelte.js';
import { directory } from './directory.svelte.js';
import { session } from './session.svelte.js';

export type SendResult = 'sent' | 'empty' | 'too_long';
export type ThreadProblem = 'forbidden' | 'not_found' | 'closed' | null;

export { MAX_MESSAGE_LENGTH };

export class ThreadState {
  messages = $state.raw<MessageRecord[]>([]);
  readonly #synced: SyncedDoc;
  readonly #userId: string;
  readonly #cleanup: (() => void)[] = [];
  #destroyed = false;

  constructor(readonly id: string) {
    const user = session.user;
    if (!user) throw new Error('ThreadState needs a signed-in user');
    this.#userId = user.id;
    this.#synced = docs.acquire(user.id, id);

    const doc = this.#synced.doc;
    const messages = messagesMap(doc);
    const onChange = () => {
      this.messages = listMessages(doc);
      directory.ensure(this.messages.map((m) => m.author));
      // Outside the Yjs observer: writing the read cursor starts a transaction of its own.
      queueMicrotask(() => this.markRead());
    };
    messages.observeDeep(onChange);
    this.#cleanup.push(() => messages.unobserveDeep(onChange));
    onChange();

    const onVisible = () => this.markRead();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    this.#cleanup.push(() => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    });
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

  /** Add a message to the local document; the provider sends it, now or when back online. */
  send(text: string): SendResult {
    if (text.trim() === '') return 'empty';
    if (this.problem) return 'empty';
    try {
      addMessage(this.#synced.doc, { author: this.#userId, text, now: session.now() });
    } catch (error) {
      if (error instanceof MessageTooLongError) return 'too_long';
      throw error;
    }
    return 'sent';
  }

  /** Move my read cursor, but only while the thread is actually on screen. */
  markRead(): void {
    if (this.#destroyed || document.visibilityState !== 'visible') return;
    markRead(this.#synced.doc, this.#userId);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const fn of this.#cleanup) fn();
    docs.release(this.id);
  }
}
