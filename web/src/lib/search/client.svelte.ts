/**
 * The page's side of search: starts the worker for the signed-in user, feeds it the documents
 * this tab opens (feeder.ts) and the list of discussions with the version of their local copy,
 * asks it queries (the latest query wins: an answer to an older one is dropped), and stops it
 * at sign-out. `revision` grows when the index changed, so a result list on screen refreshes.
 * The worker is a SharedWorker per user where the browser has them (every tab of the user
 * shares one index), a dedicated worker otherwise (see search.worker.ts).
 */
import type { MessageHit } from '@palabre/shared/search/index';
import { docs } from '$lib/sync/registry.svelte.js';
import { localCache } from '$lib/sync/local-cache.svelte.js';
import type { SyncedDoc } from '$lib/sync/synced-doc.svelte.js';
import { watchDoc } from './feeder.js';
import type { FromWorker, ToWorker, WireFilters } from './protocol.js';

export interface SearchAnswer {
  hits: MessageHit[];
  /** Time spent in the worker. */
  ms: number;
}

class SearchClient {
  /** The index is loaded and answers. */
  ready = $state(false);
  /** Bumped when the index changed. */
  revision = $state(0);
  #worker: { postMessage(message: ToWorker): void } | null = null;
  /** Stops talking to the worker: leave the shared one, or terminate the dedicated one. */
  #end: () => void = () => {};
  #onWorker: (message: FromWorker) => void = () => {};
  #user: string | null = null;
  #q = 0;
  #waiting = new Map<number, (answer: SearchAnswer | null) => void>();
  /** Documents followed, with what stops following them. */
  #watched = new Map<SyncedDoc, () => void>();
  #stopHooks: (() => void)[] = [];
  #lastList = '';
  #listTimer: ReturnType<typeof setTimeout> | null = null;

  start(user: string): void {
    if (this.#user === user && this.#worker) return;
    void this.stop();
    if (typeof Worker === 'undefined') return;
    this.#user = user;
    this.#onWorker = (message) => this.#onMessage(message);
    if (typeof SharedWorker !== 'undefined') {
      const worker = new SharedWorker(new URL('./search.worker.ts', import.meta.url), {
        type: 'module',
        name: `palabre-search:${user}`,
      });
      const port = worker.port;
      port.onmessage = (event: MessageEvent<FromWorker>) => this.#onWorker(event.data);
      port.start();
      this.#worker = port;
      this.#end = () => {
        port.postMessage({ t: 'bye' } satisfies ToWorker);
        port.close();
      };
    } else {
      const worker = new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<FromWorker>) => this.#onWorker(event.data);
      this.#worker = worker;
      this.#end = () => worker.terminate();
    }
    this.#post({ t: 'open', user });
    for (const doc of docs.all()) this.#watch(doc);
    this.#stopHooks.push(
      docs.onOpen((doc) => this.#watch(doc)),
      docs.onClose((doc) => this.#unwatch(doc)),
    );
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this.#flush);
  }

  /**
   * Sign-out (or another user): the worker closes its database, then goes, with the index in
   * memory. Resolves once the database is closed (1 s at most), so deleting it is not blocked.
   */
  stop(): Promise<void> {
    for (const stop of this.#stopHooks.splice(0)) stop();
    for (const doc of [...this.#watched.keys()]) this.#unwatch(doc);
    const worker = this.#worker;
    const end = this.#end;
    this.#worker = null;
    this.#user = null;
    this.ready = false;
    this.#lastList = '';
    if (this.#listTimer) clearTimeout(this.#listTimer);
    this.#listTimer = null;
    for (const resolve of this.#waiting.values()) resolve(null);
    this.#waiting.clear();
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.#flush);
    if (!worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        end();
        resolve();
      };
      const timer = setTimeout(done, 1_000);
      this.#onWorker = (message) => {
        if (message.t === 'closed') done();
      };
      worker.postMessage({ t: 'close' } satisfies ToWorker);
    });
  }

  /** Resolves with the hits, or null if a newer query was asked meanwhile (or search stopped). */
  search(text: string, filters: WireFilters, limit = 30): Promise<SearchAnswer | null> {
    if (!this.#worker) return Promise.resolve(null);
    const q = ++this.#q;
    for (const [older, resolve] of this.#waiting) {
      resolve(null);
      this.#waiting.delete(older);
    }
    return new Promise((resolve) => {
      this.#waiting.set(q, resolve);
      this.#post({ t: 'search', q, text, filters, limit });
    });
  }

  /**
   * My discussions and the version of their local copy: the worker reads those its index does
   * not cover (discussions synced in the background but never opened in this tab).
   */
  track(ids: string[]): void {
    const items = ids.map((id) => ({ id, v: localCache.get(id).v }));
    const key = JSON.stringify(items);
    if (key === this.#lastList) return;
    this.#lastList = key;
    if (this.#listTimer) clearTimeout(this.#listTimer);
    // Versions move in bursts while the pool syncs: tell the worker once things settle.
    this.#listTimer = setTimeout(() => this.#post({ t: 'discussions', items }), 500);
  }

  /** I lost access to a discussion: its entries go, in memory and on disk. */
  forget(id: string): void {
    this.#post({ t: 'forget', id });
  }

  #watch(doc: SyncedDoc): void {
    if (doc.userId !== this.#user || this.#watched.has(doc)) return;
    const stop = watchDoc(
      doc,
      () => localCache.get(doc.id).v,
      (message) => this.#post(message),
    );
    this.#watched.set(doc, stop);
  }

  #unwatch(doc: SyncedDoc): void {
    this.#watched.get(doc)?.();
    this.#watched.delete(doc);
  }

  #flush = () => this.#post({ t: 'flush' });

  #post(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  #onMessage(message: FromWorker): void {
    switch (message.t) {
      case 'ready':
        this.ready = true;
        this.revision++;
        // For the benchmark (and the curious): how long the cold start of the index took.
        performance.mark('palabre:search-ready', {
          detail: {
            messages: message.messages,
            indexed: message.indexed,
            loadMs: message.loadMs,
            phases: message.phases,
          },
        });
        break;
      case 'results': {
        const resolve = this.#waiting.get(message.q);
        this.#waiting.delete(message.q);
        resolve?.({ hits: message.hits, ms: message.ms });
        break;
      }
      case 'changed':
        this.revision++;
        break;
      case 'closed':
        break;
      case 'error':
        console.warn(`Palabre search: ${message.message}`);
        break;
    }
  }
}

export const searchClient = new SearchClient();
