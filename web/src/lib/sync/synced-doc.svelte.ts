/**
 * One discussion document in this tab: a Y.Doc persisted in IndexedDB (it opens offline and at
 * once), synced with the server by DocSync when someone asks for a connection (the open thread
 * or the background pool), and relayed to the other tabs of the same user by a BroadcastChannel.
 *
 * It also keeps the acknowledged state vector (the union of what the server said it stored, in
 * localStorage beside the document) so it can tell which of my messages are still waiting, and
 * it writes what the sidebar needs (unread, last message, pending) to the local cache.
 *
 * When the server refuses an update (close 4422), the local copy is discarded and rebuilt from
 * the server, and my still-pending valid messages are written again: the screen never shows a
 * change nobody else will ever see.
 */
/* eslint-disable svelte/prefer-svelte-reactivity -- the Sets and Maps here are bookkeeping
   (listeners, waiters) or values replaced whole in $state.raw (pendingIds), never mutated in place
   while rendered. */
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { CloseCode } from '@palabre/shared/close-codes';
import { lastMessage, mergeCursor, unreadCount, type ReadCursor } from '@palabre/shared/discussion/index';
import {
  DocSync,
  acknowledge,
  pendingMessages,
  type SocketFactory,
  type SyncStatus,
} from '@palabre/shared/sync/index';
import { preview } from '@palabre/shared/text';
import { ApiError, api, wsBase } from '$lib/api.js';
import { localCache } from './local-cache.svelte.js';
import { network, type ConnectionLabel } from './network.svelte.js';
import { connectionLabel, cursorOfUpdate } from './offline.js';
import { applyReadd, planReadd } from './readd.js';
import { keys, readJson, removeKey, storeAcked, writeJson, deleteDatabase, type Readd } from './storage.js';

/** Failed attempts in a row after which we ask the REST API why (see #diagnose). */
const FAILURES_BEFORE_DIAGNOSIS = 2;
/** Waiting longer than this for IndexedDB means it is not available. */
const LOAD_TIMEOUT_MS = 5_000;

/** Origin of updates received from another tab: applied, persisted, never re-broadcast. */
const TAB_ORIGIN = Symbol('other-tab');

type TabMessage =
  /** A change made by another tab, or received by it from the server (`server`). */
  | { t: 'update'; u: Uint8Array; server?: boolean }
  /** A tab opened the document: answer with what it lacks. */
  | { t: 'hello'; sv: Uint8Array }
  | { t: 'welcome'; u: Uint8Array; sv: Uint8Array }
  /** Acknowledgements received by another tab. */
  | { t: 'acked'; a: ReadCursor }
  /** Another tab discards the local copy (refused update): close it, wait for 'rebuilt'. */
  | { t: 'reset' }
  | { t: 'rebuilt' };

export interface SyncedDocHooks {
  /** The server closed for good: 4401 (session), 4403 (removed), 4404 (deleted). */
  onStopped(doc: SyncedDoc, code: number, reason: string): void;
  /** The server refused an update: the document was rebuilt from the server's copy. */
  onRejected(doc: SyncedDoc, reason: string): void;
  /** Whether I may still post here (re-adding messages after a refusal). */
  canWrite(id: string): boolean;
}

interface Generation {
  doc: Y.Doc;
  sync: DocSync;
  persistence: IndexeddbPersistence;
  loaded: Promise<void>;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class SyncedDoc {
  /** The current document (replaced when a refused update forces a rebuild). */
  doc = $state.raw<Y.Doc>(new Y.Doc());
  status = $state<SyncStatus>('disconnected');
  /** The IndexedDB content has been loaded into the doc. */
  loaded = $state(false);
  /** The server's state has been received on the current connection. */
  synced = $state(false);
  /** Set when the server closed for good (4401, 4403, 4404): no more connections. */
  closed = $state<{ code: number; reason: string } | null>(null);
  failures = $state(0);
  everConnected = $state(false);
  /** Union of the server's acknowledgements: my items it covers are stored for good. */
  acked = $state.raw<ReadCursor | undefined>(undefined);
  /** Bumped on every change (document update, acknowledgement, rebuild). */
  version = $state(0);
  /** My messages not acknowledged yet, by id (recomputed after each change). */
  pendingIds = $state.raw<ReadonlySet<string>>(new Set());

  #gen: Generation;
  #channel: BroadcastChannel | null = null;
  #wanted = false;
  #destroyed = false;
  /** Waiting for the 'rebuilt' message of another tab (see TabMessage). */
  #paused = false;
  /** Rebuilding after a refused update. */
  #rebuilding = false;
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshQueued = false;
  /** Applying an update another tab received from the server: not broadcast again. */
  #relaying = false;
  #listeners = new Set<() => void>();
  /** Sockets not closed yet, including those closing (the close handshake takes a moment). */
  #sockets = new Set<WebSocket>();
  #socketsClosed: (() => void)[] = [];
  #waiters = new Set<Waiter>();

  constructor(
    readonly id: string,
    readonly userId: string,
    private readonly hooks: SyncedDocHooks,
  ) {
    this.acked = readJson<ReadCursor>(keys.acked(userId, id)) ?? undefined;
    try {
      this.#channel = new BroadcastChannel(keys.database(userId, id));
      this.#channel.onmessage = (event: MessageEvent<TabMessage>) => this.#onTabMessage(event.data);
    } catch {
      this.#channel = null;
    }
    this.#gen = this.#attach(this.doc);
  }

  /** Resolves once IndexedDB content is in the doc (or could not be read). */
  get whenLoaded(): Promise<void> {
    return this.#gen.loaded;
  }

  /** False for a moment while the document is rebuilt: a message written then would be lost. */
  get writable(): boolean {
    return !this.#paused && !this.#rebuilding && !this.#destroyed && !this.closed;
  }

  /** Sockets open or opening for this document (0 or 1). */
  get connected(): boolean {
    return this.#wanted && !this.closed;
  }

  /** Live: connected and in sync with the server right now. */
  get live(): boolean {
    return this.status === 'connected' && this.synced;
  }

  /** What the user is told about this document's connection. */
  get label(): ConnectionLabel {
    return connectionLabel({
      online: network.online,
      open: this.status === 'connected',
      everOpen: this.everConnected,
      failures: this.failures,
      closed: this.closed !== null,
    });
  }

  /**
   * Called after changes of the document, its acknowledgements, or a rebuild (coalesced: once
   * per burst, in a microtask), with `pendingIds` up to date.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connect(): void {
    if (this.#destroyed || this.closed) return;
    this.#wanted = true;
    this.#connectWhenLoaded();
  }

  /**
   * Connect once the local copy is in the doc: connected earlier, the handshake would see an
   * empty doc and IndexedDB's content would then leave as one big update the server already has.
   */
  #connectWhenLoaded(): void {
    const gen = this.#gen;
    void gen.loaded.then(() => {
      if (this.#wanted && this.#gen === gen && !this.#paused && !this.#destroyed && !this.closed) {
        gen.sync.connect();
      }
    });
  }

  disconnect(): void {
    this.#wanted = false;
    this.#gen.sync.disconnect();
    this.synced = false;
    this.#rejectWaiters(new Error('disconnected'));
  }

  /** The browser is back online: try now instead of waiting for the backoff. */
  retryNow(): void {
    if (this.#wanted) this.#gen.sync.retryNow();
  }

  /**
   * Resolves when the document is in sync with the server and none of my messages is waiting
   * (the background pool's definition of "done"). Rejects when stopped, disconnected or too long.
   */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error('timeout'));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * Resolves once every socket of this document is fully closed (or after timeoutMs): the pool
   * waits for it, so a closing socket and its successor never add up beyond the limit.
   */
  whenSocketsClosed(timeoutMs: number): Promise<void> {
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#socketsClosed.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #openSocket(url: string): ReturnType<SocketFactory> {
    const socket = new WebSocket(url);
    this.#sockets.add(socket);
    // A listener of its own: DocSync detaches its handlers when it lets a socket go.
    socket.addEventListener('close', () => {
      this.#sockets.delete(socket);
      if (this.#sockets.size > 0) return;
      const waiting = this.#socketsClosed.splice(0);
      for (const resolve of waiting) resolve();
    });
    // The browser's WebSocket has the shape DocSync expects; only its handler types are stricter.
    return socket as unknown as ReturnType<SocketFactory>;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#wanted = false;
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#rejectWaiters(new Error('destroyed'));
    void this.#teardown(this.#gen);
    this.#channel?.close();
    this.#channel = null;
    this.#listeners.clear();
  }

  // --- one generation: doc + DocSync + IndexedDB -------------------------------------------

  #attach(doc: Y.Doc): Generation {
    const sync = new DocSync(doc, {
      url: `${wsBase()}/sync/${encodeURIComponent(this.id)}`,
      socket: (url) => this.#openSocket(url),
    });
    // Registered before IndexedDB's handler, so sending and relaying never depend on it.
    doc.on('update', this.#onUpdate);
    const persistence = new IndexeddbPersistence(keys.database(this.userId, this.id), doc);
    guardStore(persistence, doc);

    const gen: Generation = { doc, sync, persistence, loaded: Promise.resolve() };
    // IndexedDB unavailable (a browser policy, a failed open): go on without the local copy.
    const unavailable = new Promise<void>((resolve) => setTimeout(resolve, LOAD_TIMEOUT_MS));
    gen.loaded = Promise.race([persistence.whenSynced, unavailable]).then(
      () => this.#onLoaded(gen),
      () => this.#onLoaded(gen),
    );

    let opened = false;
    sync.on('status', (status) => {
      if (this.#gen !== gen) return;
      const previous = this.status;
      this.status = status;
      if (status === 'connected') {
        opened = true;
        this.everConnected = true;
      } else if (status === 'disconnected') {
        // In sync until now: that is the time of the last exchange.
        if (this.synced) localCache.touch();
        this.synced = false;
        if (this.#wanted && previous !== 'disconnected') {
          if (!opened) this.failures++;
          opened = false;
          if (this.failures > 0 && this.failures % FAILURES_BEFORE_DIAGNOSIS === 0) void this.#diagnose();
        }
      }
    });
    sync.on('synced', () => {
      if (this.#gen !== gen) return;
      this.synced = true;
      this.failures = 0;
      localCache.touch();
      this.#applyReadd();
      this.#changed();
    });
    sync.on('ack', (stateVector) => {
      if (this.#gen !== gen) return;
      this.#mergeAcked(acknowledge(this.acked, stateVector));
      localCache.touch();
    });
    sync.on('stopped', (code, reason) => {
      if (this.#gen !== gen) return;
      this.synced = false;
      if (code === CloseCode.UpdateRejected) void this.#rollback(reason);
      else this.#stop(code, reason);
    });

    this.doc = doc;
    this.loaded = false;
    this.synced = false;
    this.status = 'disconnected';
    return gen;
  }

  async #teardown(gen: Generation): Promise<void> {
    gen.sync.destroy();
    gen.doc.off('update', this.#onUpdate);
    const closed = gen.persistence.destroy();
    gen.doc.destroy();
    await closed.catch(() => undefined);
  }

  #onLoaded(gen: Generation): void {
    if (this.#gen !== gen || this.#destroyed) return;
    this.loaded = true;
    this.#applyReadd();
    // Ask the other tabs for what they have that IndexedDB does not (yet).
    this.#post({ t: 'hello', sv: Y.encodeStateVector(gen.doc) });
    this.#changed();
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    const gen = this.#gen;
    if (origin === gen.sync) {
      // Whatever the server sends is stored there: it counts as acknowledged.
      this.#mergeAcked(mergeCursor(this.acked, cursorOfUpdate(update)), false);
    }
    if (origin !== TAB_ORIGIN && origin !== gen.persistence && !this.#relaying) {
      this.#post({ t: 'update', u: update, server: origin === gen.sync });
    }
    this.#changed();
  };

  // --- acknowledgements, pending, sidebar facts -------------------------------------------

  #mergeAcked(next: ReadCursor | null, notify = true): void {
    if (!next || this.#destroyed) return;
    this.acked = storeAcked(this.userId, this.id, next);
    this.#post({ t: 'acked', a: this.acked });
    if (notify) this.#changed();
  }

  #changed(): void {
    if (this.#destroyed) return;
    this.version++;
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    // Coalesced: a burst of updates (a big sync) costs one pass over the messages.
    queueMicrotask(() => {
      this.#refreshQueued = false;
      this.#refresh();
    });
  }

  #refresh(): void {
    if (this.#destroyed) return;
    const doc = this.#gen.doc;
    const pending = pendingMessages(doc, this.userId, this.acked);
    const ids = new Set(pending.map((m) => m.id));
    if (ids.size !== this.pendingIds.size || [...ids].some((id) => !this.pendingIds.has(id))) {
      this.pendingIds = ids;
    }
    // An empty document not yet loaded from IndexedDB says nothing about the discussion.
    if (this.loaded) {
      const readd = readJson<Readd>(keys.readd(this.userId, this.id));
      const last = lastMessage(doc);
      localCache.update(this.id, {
        unread: unreadCount(doc, this.userId),
        pending: pending.length + (readd?.messages.length ?? 0),
        last: last ? { author: last.author, text: preview(last.text), ts: last.ts } : null,
      });
      if (readd && readd.messages.length === 0 && pending.length === 0 && this.synced) {
        // Everything re-added after a refusal was accepted: the next refusal starts afresh.
        removeKey(keys.readd(this.userId, this.id));
      }
    }
    for (const listener of this.#listeners) listener();
    if (this.#idle()) {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const waiter of waiters) waiter.resolve();
    }
  }

  #idle(): boolean {
    return (
      this.synced &&
      this.loaded &&
      !this.#refreshQueued &&
      this.pendingIds.size === 0 &&
      !readJson<Readd>(keys.readd(this.userId, this.id))?.messages.length
    );
  }

  #rejectWaiters(error: Error): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  // --- the server's verdicts ---------------------------------------------------------------

  #stop(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.#wanted = false;
    this.#gen.sync.disconnect();
    this.#rejectWaiters(new Error(`stopped ${code}`));
    this.hooks.onStopped(this, code, reason);
  }

  /**
   * The server refused an update (4422): discard the local copy (IndexedDB and acknowledged
   * vector), rebuild from the server, and write again my messages that were still waiting and
   * remain valid (same id, time and text). The messages to re-add are kept in localStorage
   * until then, so a reload in between loses nothing.
   */
  async #rollback(reason: string): Promise<void> {
    const old = this.#gen;
    const key = keys.readd(this.userId, this.id);
    const pending = pendingMessages(old.doc, this.userId, this.acked);
    writeJson(key, planReadd(readJson<Readd>(key), pending, this.userId, this.hooks.canWrite(this.id)));
    console.warn(`Palabre: the server refused an update of ${this.id} (${reason}); rebuilding it.`);

    this.#rebuilding = true;
    this.#post({ t: 'reset' });
    await this.#teardown(old);
    removeKey(keys.acked(this.userId, this.id));
    removeKey(keys.tail(this.userId, this.id));
    this.acked = undefined;
    await deleteDatabase(keys.database(this.userId, this.id));
    this.#rebuilding = false;
    if (this.#destroyed) return;
    this.#gen = this.#attach(new Y.Doc());
    this.#post({ t: 'rebuilt' });
    if (this.#wanted) this.#connectWhenLoaded();
    this.#changed();
    this.hooks.onRejected(this, reason);
  }

  /** Another tab is rebuilding this document: close ours until it is done. */
  async #pause(): Promise<void> {
    if (this.#paused || this.#destroyed) return;
    this.#paused = true;
    await this.#teardown(this.#gen);
    if (this.#destroyed) return;
    this.synced = false;
    // If the other tab never says 'rebuilt' (closed meanwhile), resume anyway.
    this.#pauseTimer = setTimeout(() => this.#resume(), 3_000);
  }

  #resume(): void {
    if (!this.#paused || this.#destroyed) return;
    this.#paused = false;
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    this.acked = readJson<ReadCursor>(keys.acked(this.userId, this.id)) ?? undefined;
    this.#gen = this.#attach(new Y.Doc());
    if (this.#wanted) this.#connectWhenLoaded();
    this.#changed();
  }

  /**
   * After a rebuild, once both the local and the server's copies are here: my messages that
   * were waiting, again (those the server already has are not written twice).
   */
  #applyReadd(): void {
    if (!this.loaded || !this.synced) return;
    const gen = this.#gen;
    const key = keys.readd(this.userId, this.id);
    const readd = readJson<Readd>(key);
    if (!readd || readd.messages.length === 0) return;
    writeJson(key, applyReadd(gen.doc, readd));
  }

  /**
   * The server refuses a forbidden or unknown discussion before the WebSocket upgrade, with a
   * plain HTTP status the browser hides (the socket just fails). When attempts keep failing, the
   * REST API tells the reason: 401 ends the session (api.ts reports it), 403/404 stop this
   * document like a 4403/4404 close would. Anything else (server down): keep retrying.
   */
  async #diagnose(): Promise<void> {
    if (!network.online || this.closed) return;
    try {
      await api.discussion(this.id);
    } catch (error) {
      if (!(error instanceof ApiError) || this.closed || this.status === 'connected') return;
      if (error.code === 'discussion_not_found') this.#stop(CloseCode.NotFound, error.message);
      else if (error.code === 'not_member' || error.code === 'forbidden')
        this.#stop(CloseCode.Forbidden, error.message);
    }
  }

  // --- other tabs ----------------------------------------------------------------------------

  #post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel: the other tabs read IndexedDB when they open the document.
    }
  }

  #onTabMessage(message: TabMessage): void {
    if (this.#destroyed || !message || typeof message !== 'object') return;
    const doc = this.#gen.doc;
    switch (message.t) {
      case 'update':
        if (this.#paused) break;
        if (message.server) {
          // From the server through another tab: applied as if our DocSync had received it, so
          // it counts as acknowledged and is not sent back to the server.
          this.#relaying = true;
          try {
            Y.applyUpdate(doc, message.u, this.#gen.sync);
          } finally {
            this.#relaying = false;
          }
        } else {
          Y.applyUpdate(doc, message.u, TAB_ORIGIN);
        }
        break;
      case 'hello':
        if (this.loaded && !this.#paused)
          this.#post({
            t: 'welcome',
            u: Y.encodeStateAsUpdate(doc, message.sv),
            sv: Y.encodeStateVector(doc),
          });
        break;
      case 'welcome': {
        if (this.#paused) break;
        Y.applyUpdate(doc, message.u, TAB_ORIGIN);
        const missing = Y.encodeStateAsUpdate(doc, message.sv);
        // An update with no content encodes as two zero bytes.
        if (missing.byteLength > 2) this.#post({ t: 'update', u: missing });
        break;
      }
      case 'acked': {
        const merged = mergeCursor(this.acked, message.a);
        if (merged) {
          this.acked = merged;
          this.#changed();
        }
        break;
      }
      case 'reset':
        void this.#pause();
        break;
      case 'rebuilt':
        this.#resume();
        break;
    }
  }
}

/**
 * y-indexeddb writes each update from the doc's 'update' event; if another tab deleted the
 * database (sign-out, removal, rebuild), that write throws inside Yjs's event loop and would
 * break the document. Swallow it: the tab that deleted the database has told us to let go.
 */
function guardStore(persistence: IndexeddbPersistence, doc: Y.Doc): void {
  const target = persistence as unknown as { _storeUpdate: (update: Uint8Array, origin: unknown) => void };
  const store = target._storeUpdate;
  doc.off('update', store);
  target._storeUpdate = (update, origin) => {
    try {
      store(update, origin);
    } catch {
      // The database is gone; this tab will drop or rebuild the document shortly.
    }
  };
  doc.on('update', target._storeUpdate);
}
