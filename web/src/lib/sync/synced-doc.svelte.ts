/**
 * One discussion document kept locally and in sync: a Y.Doc persisted in IndexedDB (so it opens
 * offline and instantly) and synced over the stock y-websocket protocol at /sync/<id>.
 * Reactive fields let state classes derive values from the doc without observing Yjs themselves.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode } from '@palabre/shared/close-codes';
import { ApiError, api, wsBase } from '$lib/api.js';
import { network, type ConnectionLabel } from './network.svelte.js';

export type ProviderStatus = 'connecting' | 'connected' | 'disconnected';

/** Attempts after which a provider that never got through is shown as offline. */
const FAILURES_BEFORE_OFFLINE = 3;
/** Refused attempts in a row after which we ask the REST API why (see #diagnose). */
const FAILURES_BEFORE_DIAGNOSIS = 2;

/**
 * The 4400-4499 close codes are final, as y-websocket assumes by default (the session ended,
 * access was removed, the client sent what the server refuses), except RoleChanged: the server
 * asks us to reconnect to get the new rights.
 */
function shouldReconnect(event: CloseEvent): boolean {
  if (event.code === CloseCode.RoleChanged) return true;
  return !(event.code >= 4400 && event.code < 4500);
}

export class SyncedDoc {
  readonly doc = new Y.Doc();
  readonly persistence: IndexeddbPersistence;
  readonly provider: WebsocketProvider;

  /** The provider's last 'status' event. */
  status = $state<ProviderStatus>('connecting');
  /** Consecutive closed connections since the last successful one. */
  failures = $state(0);
  everConnected = $state(false);
  /** IndexedDB content has been loaded into the doc. */
  loaded = $state(false);
  /** The server's state has been received at least once since the last connection. */
  synced = $state(false);
  /** Set when the server closed for good (4403, 4404, ...): the provider no longer reconnects. */
  closed = $state<{ code: number; reason: string } | null>(null);
  /** Bumped on every document update: read it in a $derived to recompute from the doc. */
  version = $state(0);
  readonly #onClosed: (doc: SyncedDoc, code: number) => void;

  constructor(
    readonly id: string,
    userId: string,
    onClosed: (doc: SyncedDoc, code: number) => void,
  ) {
    this.#onClosed = onClosed;
    // Per user: two people sharing a browser profile never read each other's cache.
    this.persistence = new IndexeddbPersistence(`palabre:${userId}:${id}`, this.doc);
    this.persistence.whenSynced.then(
      () => (this.loaded = true),
      () => (this.loaded = true),
    );
    this.provider = new WebsocketProvider(`${wsBase()}/sync`, id, this.doc, { shouldReconnect });
    this.provider.on('status', ({ status }) => {
      this.status = status;
      if (status === 'connected') {
        this.everConnected = true;
        this.failures = 0;
      }
    });
    this.provider.on('connection-close', (event) => {
      if (event === null) return; // closed by us
      this.failures++;
      if (this.failures % FAILURES_BEFORE_DIAGNOSIS === 0) void this.#diagnose();
    });
    this.provider.on('sync', (synced) => (this.synced = synced));
    // Emitted for close codes 4400-4499, after which y-websocket stops reconnecting on its own.
    this.provider.on('closed', ({ code, reason }) => this.#close(code, reason));
    this.doc.on('update', () => this.version++);
  }

  #close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.provider.disconnect();
    this.#onClosed(this, code);
  }

  /**
   * The server refuses a forbidden or unknown discussion before the WebSocket upgrade, with a
   * plain HTTP status the browser hides from us (the socket just fails). When attempts keep
   * failing, the REST API tells us the reason: 401 ends the session (api.ts reports it),
   * 403/404 stop this provider like a 4403/4404 close would. Anything else: keep retrying.
   */
  async #diagnose(): Promise<void> {
    if (!network.online || this.closed) return;
    try {
      await api.discussion(this.id);
    } catch (error) {
      if (!(error instanceof ApiError) || this.closed || this.status === 'connected') return;
      if (error.code === 'discussion_not_found') this.#close(CloseCode.NotFound, error.message);
      else if (error.code === 'not_member' || error.code === 'forbidden')
        this.#close(CloseCode.Forbidden, error.message);
    }
  }

  /** What the user is told about this document's connection. */
  get label(): ConnectionLabel {
    if (!network.online || this.closed) return 'offline';
    if (this.status === 'connected') return 'connected';
    if (this.everConnected) return 'reconnecting';
    return this.failures >= FAILURES_BEFORE_OFFLINE ? 'offline' : 'connecting';
  }

  destroy(): void {
    this.provider.destroy();
    // Destroying the doc also destroys the IndexedDB persistence bound to it.
    this.doc.destroy();
  }
}
