/**
 * One discussion document kept locally and in sync: a Y.Doc persisted in IndexedDB (so it opens
 * offline and instantly) and synced over the stock y-websocket protocol at /sync/<id>.
 * Reactive fields let state classes derive values from the doc without observing Yjs themselves.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { wsBase } from '$lib/api.js';
import { network, type ConnectionLabel } from './network.svelte.js';

export type ProviderStatus = 'connecting' | 'connected' | 'disconnected';

/** Attempts after which a provider that never got through is shown as offline. */
const FAILURES_BEFORE_OFFLINE = 3;

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

  constructor(
    readonly id: string,
    userId: string,
    onClosed: (doc: SyncedDoc, code: number) => void,
  ) {
    // Per user: two people sharing a browser profile never read each other's cache.
    this.persistence = new IndexeddbPersistence(`palabre:${userId}:${id}`, this.doc);
    this.persistence.whenSynced.then(
      () => (this.loaded = true),
      () => (this.loaded = true),
    );
    this.provider = new WebsocketProvider(`${wsBase()}/sync`, id, this.doc);
    this.provider.on('status', ({ status }) => {
      this.status = status;
      if (status === 'connected') {
        this.everConnected = true;
        this.failures = 0;
      }
    });
    this.provider.on('connection-close', () => {
      this.failures++;
    });
    this.provider.on('sync', (synced) => (this.synced = synced));
    // Emitted for close codes 4400-4499, after which y-websocket stops reconnecting on its own.
    this.provider.on('closed', ({ code, reason }) => {
      this.closed = { code, reason };
      onClosed(this, code);
    });
    this.doc.on('update', () => this.version++);
  }

  /** What the user is told about this document's connection. */
  get label(): ConnectionLabel {
    if (this.status === 'connected') return 'connected';
    if (!network.online || this.closed) return 'offline';
    if (this.everConnected) return 'reconnecting';
    return this.failures >= FAILURES_BEFORE_OFFLINE ? 'offline' : 'connecting';
  }

  destroy(): void {
    this.provider.destroy();
    // Destroying the doc also destroys the IndexedDB persistence bound to it.
    this.doc.destroy();
  }
}
