/**
 * One discussion document in this tab: it ties a Y.Doc to its local copy (local-copy.ts), its
 * sync client (DocSync, connected when someone asks: the open thread or the background pool;
 * the three, with the read tracker and compaction, make a generation: generation.ts),
 * the same user's other tabs (tab-relay.ts), its acknowledgements (acks.ts) and the sidebar
 * facts it writes (sidebar-facts.ts), and turns the server's verdicts into state: a close for
 * good stops it (asking REST why when the socket keeps failing, diagnose.ts); a refused update
 * (4422) discards the local copy, rebuilds it from the server and writes my still-pending
 * messages again (readd.ts), so the screen never shows a change nobody else will ever see.
 */
import * as Y from 'yjs';
import { CloseCode } from '@palabre/shared/close-codes';
import type { MessageRecord, ReadCursor, ReadTracker } from '@palabre/shared/discussion/index';
import type { SocketFactory, SyncStatus } from '@palabre/shared/sync/index';
import { api, wsBase } from '$lib/api.js';
import { Acknowledgements } from './acks.js';
import { diagnose, shouldDiagnose } from './diagnose.js';
import { Generation } from './generation.js';
import { IdleWaiters } from './idle-waiters.js';
import { localCache } from './local-cache.svelte.js';
import { network, type ConnectionLabel } from './network.svelte.js';
import { connectionLabel } from './offline.js';
import { keepForReadd, readdInto, readdSettled, waitingToReadd } from './readd.js';
import { sidebarFacts } from './sidebar-facts.js';
import { SocketTracker } from './socket-tracker.js';
import { keys, readJson, removeKey, storeAcked, deleteDatabase } from './storage.js';
import { TabRelay } from './tab-relay.js';

/** If the tab rebuilding the document never says it is done (closed meanwhile), resume anyway. */
const PAUSE_LIMIT_MS = 3_000;

export interface SyncedDocHooks {
  /** The server closed for good: 4401 (session), 4403 (removed), 4404 (deleted). */
  onStopped(doc: SyncedDoc, code: number, reason: string): void;
  /** The server refused an update: the document was rebuilt from the server's copy. */
  onRejected(doc: SyncedDoc, reason: string): void;
  /** Whether I may still post here (re-adding messages after a refusal). */
  canWrite(id: string): boolean;
  /** A message mentioning me arrived from the server (written now, or offline long ago). */
  onMention(doc: SyncedDoc, message: MessageRecord): void;
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
  /** Bumped on every change (document update, acknowledgement, rebuild). */
  version = $state(0);
  /** My messages not acknowledged yet, by id (replaced whole after each change, never mutated). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole in $state.raw
  pendingIds = $state.raw<ReadonlySet<string>>(new Set());

  #gen: Generation;
  readonly #acks: Acknowledgements;
  readonly #relay: TabRelay;
  readonly #sockets = new SocketTracker<WebSocket>();
  readonly #waiters = new IdleWaiters();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- listeners, never rendered
  readonly #listeners = new Set<() => void>();
  #wanted = false;
  #destroyed = false;
  /** Waiting for another tab to finish rebuilding this document. */
  #paused = false;
  /** Rebuilding after a refused update. */
  #rebuilding = false;
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshQueued = false;

  constructor(
    readonly id: string,
    readonly userId: string,
    private readonly hooks: SyncedDocHooks,
  ) {
    const ackKey = keys.acked(userId, id);
    this.#acks = new Acknowledgements({
      load: () => readJson<ReadCursor>(ackKey),
      merge: (next) => storeAcked(userId, id, next),
      clear: () => removeKey(ackKey),
    });
    this.#relay = new TabRelay(keys.database(userId, id), {
      doc: () => this.#gen.doc,
      serverOrigin: () => this.#gen.sync,
      loaded: () => this.loaded,
      paused: () => this.#paused || this.#destroyed,
      onAcked: (acked) => {
        if (this.#acks.fromOtherTab(acked)) this.#changed();
      },
      onReset: () => void this.#pause(),
      onRebuilt: () => this.#resume(),
    });
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

  /** After the local copy: earlier, IndexedDB's content would leave as one big update the server has. */
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
    this.#waiters.rejectAll(new Error('disconnected'));
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
    return this.#waiters.wait(timeoutMs);
  }

  /** Resolves once every socket of this document is fully closed (or after timeoutMs): see SocketTracker. */
  whenSocketsClosed(timeoutMs: number): Promise<void> {
    return this.#sockets.whenClosed(timeoutMs);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#wanted = false;
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#waiters.rejectAll(new Error('destroyed'));
    void this.#gen.teardown();
    this.#relay.close();
    this.#listeners.clear();
  }

  /** Unread, mentions, first unread and « Vu » of the current document. */
  get tracker(): ReadTracker {
    return this.#gen.tracker;
  }

  // --- one generation (generation.ts): its sync client's events -----------------------------

  #attach(doc: Y.Doc): Generation {
    const gen: Generation = new Generation(doc, {
      url: `${wsBase()}/sync/${encodeURIComponent(this.id)}`,
      // The browser's WebSocket has the shape DocSync expects; only its handler types are stricter.
      socket: (url) => this.#sockets.track(new WebSocket(url)) as unknown as ReturnType<SocketFactory>,
      database: keys.database(this.userId, this.id),
      userId: this.userId,
      onUpdate: this.#onUpdate,
      onMention: (message) => {
        if (this.#gen === gen) this.hooks.onMention(this, message);
      },
      live: () => this.#gen === gen && this.loaded,
    });
    gen.loaded = gen.local.loaded.then(() => this.#onLoaded(gen));
    const sync = gen.sync;

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
          if (shouldDiagnose(this.failures)) void this.#diagnose();
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
      if (this.#shareAcked(this.#acks.fromServerAck(stateVector))) this.#changed();
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

  #onLoaded(gen: Generation): void {
    if (this.#gen !== gen || this.#destroyed) return;
    this.loaded = true;
    this.#applyReadd();
    this.#relay.hello();
    this.#changed();
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    const gen = this.#gen;
    if (origin === gen.sync) this.#shareAcked(this.#acks.fromServerUpdate(update));
    this.#relay.forward(update, origin, gen.local.origin);
    this.#changed();
  };

  /** Tell the other tabs what the server acknowledged; false when nothing new. */
  #shareAcked(acked: ReadCursor | null): boolean {
    if (!acked || this.#destroyed) return false;
    this.#relay.acked(acked);
    return true;
  }

  // --- pending state and sidebar facts, after each burst of changes ---------------------------

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
    const pending = this.#acks.pending(doc, this.userId);
    this.pendingIds = this.#acks.pendingIds;
    // An empty document not yet loaded from IndexedDB says nothing about the discussion.
    if (this.loaded) {
      const toReadd = waitingToReadd(this.userId, this.id);
      const counts = { unread: this.#gen.tracker.unread, mentions: this.#gen.tracker.mentions };
      localCache.update(this.id, sidebarFacts(doc, this.userId, pending.length, toReadd, counts));
      if (toReadd === 0 && pending.length === 0 && this.synced) readdSettled(this.userId, this.id);
    }
    for (const listener of this.#listeners) listener();
    if (this.#idle()) this.#waiters.resolveAll();
  }

  #idle(): boolean {
    return (
      this.synced &&
      this.loaded &&
      !this.#refreshQueued &&
      this.pendingIds.size === 0 &&
      waitingToReadd(this.userId, this.id) === 0
    );
  }

  // --- the server's verdicts ---------------------------------------------------------------

  #stop(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.#wanted = false;
    this.#gen.sync.disconnect();
    this.#waiters.rejectAll(new Error(`stopped ${code}`));
    this.hooks.onStopped(this, code, reason);
  }

  async #diagnose(): Promise<void> {
    if (!network.online || this.closed) return;
    const verdict = await diagnose(() => api.discussion(this.id));
    if (verdict && !this.closed && this.status !== 'connected') this.#stop(verdict.code, verdict.reason);
  }

  /**
   * The server refused an update (4422): discard the local copy (IndexedDB and acknowledged
   * vector), rebuild from the server, and write again my messages that were still waiting and
   * remain valid. They are kept in localStorage until then, so a reload in between loses nothing.
   */
  async #rollback(reason: string): Promise<void> {
    const old = this.#gen;
    const pending = this.#acks.pending(old.doc, this.userId);
    keepForReadd(this.userId, this.id, pending, this.hooks.canWrite(this.id));
    console.warn(`Palabre: the server refused an update of ${this.id} (${reason}); rebuilding it.`);

    this.#rebuilding = true;
    this.#relay.reset();
    await old.teardown();
    this.#acks.forget();
    removeKey(keys.tail(this.userId, this.id));
    await deleteDatabase(keys.database(this.userId, this.id));
    this.#rebuilding = false;
    if (this.#destroyed) return;
    this.#gen = this.#attach(new Y.Doc());
    this.#relay.rebuilt();
    if (this.#wanted) this.#connectWhenLoaded();
    this.#changed();
    this.hooks.onRejected(this, reason);
  }

  /** After a rebuild, once both the local and the server's copies are here: my waiting messages, again. */
  #applyReadd(): void {
    if (this.loaded && this.synced) readdInto(this.#gen.doc, this.userId, this.id);
  }

  /** Another tab is rebuilding this document: close ours until it is done. */
  async #pause(): Promise<void> {
    if (this.#paused || this.#destroyed) return;
    this.#paused = true;
    await this.#gen.teardown();
    if (this.#destroyed) return;
    this.synced = false;
    this.#pauseTimer = setTimeout(() => this.#resume(), PAUSE_LIMIT_MS);
  }

  #resume(): void {
    if (!this.#paused || this.#destroyed) return;
    this.#paused = false;
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    this.#acks.reload();
    this.#gen = this.#attach(new Y.Doc());
    if (this.#wanted) this.#connectWhenLoaded();
    this.#changed();
  }
}
