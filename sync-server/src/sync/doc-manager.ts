/**
 * Loaded documents: one Y.Doc per discussion with a connection somewhere, loaded from the
 * DocStore on first use and unloaded when its last connection has gone.
 *
 * Every change to a loaded document runs through that document's serial queue, and a commit
 * persists what changed before anyone is told about it. So a connection can never receive, by
 * relay or by sync step 2, an update that is not committed to storage yet.
 *
 * Group commit: while one write is under way the document's queue waits; the updates from
 * connections (`commitSoon`) that queued up meanwhile are then applied and stored together, by
 * the last of them, in one write: a burst costs one round trip to storage rather than one per
 * update. Memory is ahead of storage only inside such a run, where nothing reads the document
 * for anyone: every other step (a sync step 1 answered, an acknowledgement, a server change, a
 * read, a compaction) commits first.
 *
 * A connection sees a document only through the DocSession that `open` returns (join, leave,
 * run, commit, broadcast, fail); the DocManager reaches connections only through `Peer`.
 * What the documents mean (messages, members, reads) is not this file's business: observers
 * (`DocObserver`) are told when a document loads, commits and unloads.
 */
import * as Y from 'yjs';
import { CloseCode, updateFrame } from '@palabre/shared';
import type { DocStore } from '../storage/types.js';
import type { DocObserver, DocSession, Peer } from './doc-session.js';
import { hold, newBatch, newLoaded, storeSnapshot, type Loaded } from './loaded-doc.js';

export type { DocObserver, DocSession, Peer };

export interface DocManagerOptions {
  /** Compact the stored history after this many appended updates. */
  compactEvery?: number;
  /** Keep a document with no connection in memory this long. */
  unloadAfterMs?: number;
  /** `compactSoon` compacts this long after its call (coalescing a burst of calls). */
  purgeAfterMs?: number;
}

/** The origin of updates another node committed (applied here, relayed, never stored again). */
const REMOTE = Symbol('remote');

/** Loading a document that has more stored rows than this compacts them into one snapshot. */
export const COMPACT_ON_LOAD_ROWS = 50;

/**
 * The server's copy of a discussion. Its guid is the discussion's id: Yjs would otherwise draw a
 * random uuid through 31 calls to crypto.getRandomValues, about 0.17 ms of every load.
 */
const serverDoc = (docId: string) => new Y.Doc({ gc: true, guid: docId });

export class DocManager {
  private readonly docs = new Map<string, Loaded>();
  private readonly loading = new Map<string, Promise<Loaded>>();
  private readonly observers: DocObserver[] = [];
  private readonly compactEvery: number;
  private readonly unloadAfterMs: number;
  private readonly purgeAfterMs: number;

  constructor(
    private readonly store: DocStore,
    options: DocManagerOptions = {},
  ) {
    this.compactEvery = options.compactEvery ?? 500;
    this.unloadAfterMs = options.unloadAfterMs ?? 30_000;
    this.purgeAfterMs = options.purgeAfterMs ?? 1_000;
  }

  /** Follow every document's life from now on (documents already loaded are announced at once). */
  observe(observer: DocObserver): void {
    this.observers.push(observer);
    for (const d of this.docs.values()) observer.loaded?.(d.id, d.doc);
  }

  isLoaded(docId: string): boolean {
    return this.docs.has(docId);
  }

  /** Load (or reuse) a document for one connection, held until the session's `leave`. */
  async open(docId: string): Promise<DocSession> {
    const d = await this.acquire(docId);
    let joined: Peer | null = null;
    let left = false;
    return {
      id: d.id,
      doc: d.doc,
      awareness: d.awareness,
      join: (peer) => {
        // Dropped since it was opened (an update broke it): a peer attached now would write to
        // a copy no one else sees. It reconnects and gets the document as stored.
        if (this.docs.get(d.id) !== d) return peer.close(CloseCode.StorageFailed, 'document reloaded');
        joined = peer;
        d.peers.add(peer);
      },
      leave: () => {
        if (left) return;
        left = true;
        if (joined) d.peers.delete(joined);
        this.release(d);
      },
      run: (fn) => this.run(d, fn),
      commit: () => this.commit(d),
      commitSoon: () => this.commitSoon(d),
      broadcast: (frame, from) => {
        for (const peer of d.peers) if (peer !== from) peer.send(frame);
      },
      fail: () => this.evict(d),
    };
  }

  /**
   * A change made by the server itself (metadata, member mirror, a retention purge), committed and
   * relayed like any other. With `compact`, the stored history is compacted right after the commit
   * (on the queue), so what the change removed has left storage when this resolves.
   */
  async change<T>(docId: string, fn: (doc: Y.Doc) => T, options: { compact?: boolean } = {}): Promise<T> {
    const d = await this.acquire(docId);
    try {
      return await this.run(d, async () => {
        let result!: T;
        d.doc.transact(() => {
          result = fn(d.doc);
        }, 'server');
        if ((await this.commit(d)) && options.compact) await this.compact(d);
        return result;
      });
    } finally {
      this.release(d);
    }
  }

  /**
   * Read a document without keeping it: the loaded copy (on its queue) when there is one, else a
   * copy built from storage for this call only. fn must not change it.
   */
  async read<T>(docId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const d = this.docs.get(docId);
    if (d)
      return this.run(d, async () => {
        await this.commit(d);
        return fn(d.doc);
      });
    const { updates } = await this.store.load(docId);
    const doc = serverDoc(docId);
    try {
      if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
      return fn(doc);
    } finally {
      doc.destroy();
    }
  }

  /** The documents in memory now. */
  loadedIds(): string[] {
    return [...this.docs.keys()];
  }

  /** The sequence number of the last stored update this node has applied to a loaded document. */
  appliedSeq(docId: string): number | null {
    return this.docs.get(docId)?.lastSeq ?? null;
  }

  /** The versions storage holds of these documents (each one's last update's sequence number). */
  async storedVersions(docIds: string[]): Promise<Map<string, number>> {
    if (this.store.versions) return this.store.versions(docIds);
    const each = await Promise.all(docIds.map(async (id) => [id, await this.store.version(id)] as const));
    return new Map(each);
  }

  /**
   * An update another node committed to the shared storage (sequence number seq): applied and
   * relayed to this node's connections at once, if the document is in memory here. Not on the
   * document's queue: it is already stored, so it need not wait behind this node's own commits
   * (their storage round trips), and no step of the queue can see it half applied (Yjs applies
   * synchronously; what the queue awaits, storage and rule context, is read before or after).
   */
  applyRemote(docId: string, seq: number, update: Uint8Array): void {
    const d = this.docs.get(docId);
    if (!d) return;
    Y.applyUpdate(d.doc, update, REMOTE);
    d.lastSeq = Math.max(d.lastSeq, seq);
    hold(d, [String(seq)]);
  }

  /**
   * Read the document's stored history again and apply what memory lacks (relayed like a remote
   * update): after following another node's updates begins, and when the link to them comes back.
   * Not on the queue either: the read would hold up this node's own writes. Resolves with the
   * stored version read (0 when the document is not loaded here).
   */
  async catchUp(docId: string): Promise<number> {
    const d = this.docs.get(docId);
    if (!d) return 0;
    const { updates, lastSeq, rows } = await this.store.load(docId);
    if (this.docs.get(docId) !== d || updates.length === 0) return 0;
    Y.applyUpdate(d.doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates), REMOTE);
    d.lastSeq = Math.max(d.lastSeq, lastSeq);
    hold(d, rows);
    return lastSeq;
  }

  /**
   * Does the loaded document hold updates it cannot integrate yet, their predecessors missing
   * (another node's update lost on the way, whose author wrote again)?
   */
  lacksPredecessors(docId: string): boolean {
    const store = this.docs.get(docId)?.doc.store;
    return !!store && (store.pendingStructs !== null || store.pendingDs !== null);
  }

  /** Close the connections of a user, to one document or (docId null) to all. */
  closePeers(docId: string | null, userId: string, code: CloseCode, reason: string): void {
    const docs =
      docId === null ? [...this.docs.values()] : [this.docs.get(docId)].filter((d) => d !== undefined);
    for (const d of docs)
      for (const peer of [...d.peers]) if (peer.userId === userId) peer.close(code, reason);
  }

  /**
   * Compact a loaded document's stored history a moment from now, on its queue: what its
   * snapshot no longer holds (the text of a deleted message) leaves storage. Coalesced.
   */
  compactSoon(docId: string): void {
    const d = this.docs.get(docId);
    if (!d || d.purgeTimer) return;
    d.purgeTimer = setTimeout(() => {
      d.purgeTimer = null;
      if (this.docs.get(d.id) === d) void this.run(d, () => this.compact(d)).catch(() => undefined);
    }, this.purgeAfterMs);
    d.purgeTimer.unref();
  }

  /** Compact and drop every loaded document (server shutdown). */
  async closeAll(): Promise<void> {
    for (const d of [...this.docs.values()]) {
      await this.run(d, async () => {
        await this.compact(d);
        this.drop(d, CloseCode.ServerShutdown, 'server shutting down');
      });
    }
  }

  private async acquire(docId: string): Promise<Loaded> {
    let d = this.docs.get(docId);
    if (!d) {
      let p = this.loading.get(docId);
      if (!p) {
        p = this.load(docId).finally(() => this.loading.delete(docId));
        this.loading.set(docId, p);
      }
      d = await p;
    }
    d.users++;
    if (d.unloadTimer) {
      clearTimeout(d.unloadTimer);
      d.unloadTimer = null;
    }
    return d;
  }

  private release(d: Loaded): void {
    d.users--;
    if (d.users > 0 || d.unloadTimer) return;
    d.unloadTimer = setTimeout(() => {
      d.unloadTimer = null;
      void this.run(d, () => this.unloadIfIdle(d));
    }, this.unloadAfterMs);
    d.unloadTimer.unref();
  }

  /**
   * Run fn on the queue. The group commit: the steps queued while the last write was under way
   * leave what they apply to the last of them, which stores it all (or to any step that commits
   * sooner). Steps queued later wait for the next write, so a steady flow never postpones one.
   */
  private run<T>(d: Loaded, fn: () => T | Promise<T>): Promise<T> {
    d.waiting++;
    const n = ++d.enqueued;
    const result = d.queue.then(() => {
      d.waiting--;
      return fn();
    });
    const last = () => {
      if (d.pending.length === 0 || this.docs.get(d.id) !== d) return;
      if (d.waiting > 0 && n < d.cut) return;
      return this.commit(d).then(
        () => undefined,
        () => undefined,
      );
    };
    d.queue = result.then(last, last);
    return result;
  }

  private commitSoon(d: Loaded): Promise<boolean> {
    const changed = d.pending.length > d.staged;
    d.staged = d.pending.length;
    if (!changed) return Promise.resolve(false);
    d.batch ??= newBatch();
    return d.batch.stored;
  }

  private async commit(d: Loaded): Promise<boolean> {
    const waiters = d.batch;
    d.batch = null;
    d.staged = 0;
    if (d.pending.length === 0) {
      waiters?.resolve();
      return false;
    }
    const batch = d.pending.splice(0);
    const merged = batch.length === 1 ? batch[0].update : Y.mergeUpdates(batch.map((b) => b.update));
    let seq: number;
    try {
      seq = await this.store.append(d.id, merged);
      d.cut = d.enqueued;
    } catch (err) {
      // Memory never runs ahead of storage: drop the document, its connections reconnect.
      this.evict(d);
      waiters?.reject(err);
      throw err;
    }
    // Another node's update, applied meanwhile, may carry a higher sequence number.
    d.lastSeq = Math.max(d.lastSeq, seq);
    hold(d, [String(seq)]);
    d.sinceCompaction++;
    // Observers first: one publishes to the other nodes, whose clients need not wait for our sends.
    for (const o of this.observers) o.committed?.(d.id, seq, merged);
    for (const { update, origin } of batch) {
      const frame = updateFrame(update);
      for (const peer of d.peers) if (peer !== origin) peer.send(frame);
    }
    waiters?.resolve();
    // The periodic compaction: its snapshot is taken now (when nothing unstored is in memory), its
    // storage round trips run beside the writes queued after this one, which it leaves alone.
    if (d.sinceCompaction >= this.compactEvery && !d.compacting && d.pending.length === 0)
      d.compacting = this.snapshot(d)
        .catch(() => undefined)
        .finally(() => (d.compacting = null));
    return true;
  }

  /** Drop uncommitted changes: the next connection reloads from storage, so memory never runs ahead of disk. */
  private evict(d: Loaded): void {
    if (this.docs.get(d.id) !== d) return;
    this.drop(d, CloseCode.StorageFailed, 'storage failed');
  }

  private drop(d: Loaded, code: CloseCode, reason: string): void {
    d.pending.length = 0;
    d.batch?.reject(new Error(reason));
    d.batch = null;
    for (const peer of [...d.peers]) peer.close(code, reason);
    d.peers.clear();
    this.docs.delete(d.id);
    for (const o of this.observers) o.unloaded?.(d.id);
    d.doc.destroy();
  }

  private async load(docId: string): Promise<Loaded> {
    const { updates, lastSeq, rows } = await this.store.load(docId);
    const doc = serverDoc(docId);
    if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
    const d = newLoaded(docId, doc, {
      lastSeq,
      rows,
      sinceCompaction: updates.length > 1 ? updates.length : 0,
    });
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) return void d.pending.push({ update, origin });
      // Already committed by another node: relay only what was new here, store nothing.
      const frame = updateFrame(update);
      for (const peer of d.peers) peer.send(frame);
    });
    // A long log (a crash before the unload compaction, say) is folded once, so the next load is quick.
    if (updates.length > COMPACT_ON_LOAD_ROWS) await this.compact(d);
    this.docs.set(docId, d);
    for (const o of this.observers) o.loaded?.(docId, doc);
    return d;
  }

  private async compact(d: Loaded): Promise<void> {
    // The snapshot must hold only what is stored: what the group commit still holds goes first.
    if (d.pending.length > 0) await this.commit(d);
    await d.compacting; // one at a time
    await this.snapshot(d);
  }

  /** Store a snapshot of the document as it is now (nothing unstored in memory: see compact). */
  private snapshot(d: Loaded): Promise<void> {
    return storeSnapshot(this.store, d, (missed) => {
      if (this.docs.get(d.id) === d) Y.applyUpdate(d.doc, missed, REMOTE);
    });
  }

  private async unloadIfIdle(d: Loaded): Promise<void> {
    if (d.users > 0 || this.docs.get(d.id) !== d) return;
    await this.compact(d);
    // Someone may have connected while an asynchronous store was compacting.
    if (d.users > 0) return;
    this.docs.delete(d.id);
    for (const o of this.observers) o.unloaded?.(d.id);
    d.awareness.destroy();
    d.doc.destroy();
  }
}
