/**
 * Loaded documents: one Y.Doc per discussion with a connection somewhere, loaded from the
 * DocStore on first use and unloaded when its last connection has gone.
 *
 * Every change to a loaded document runs through that document's serial queue (`run`), and
 * `commit` persists what changed before anyone is told about it. So a connection can never
 * receive, by relay or by sync step 2, an update that is not committed to storage yet.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { Awareness } from 'y-protocols/awareness';
import {
  compareMessages,
  isMessageRecord,
  lastMessage,
  membersMap,
  messagesMap,
  type MessageRecord,
} from '@palabre/shared';
import type { DocStore } from '../storage/types.js';

export interface Peer {
  readonly userId: string;
  /** Send a complete y-websocket frame. */
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface LoadedDoc {
  readonly id: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly peers: Set<Peer>;
  /** The last message in display order, kept for the sidebar preview. */
  last: MessageRecord | null;
}

interface Internal extends LoadedDoc {
  queue: Promise<void>;
  pending: { update: Uint8Array; origin: unknown }[];
  messagesAdded: boolean;
  lastSeq: number;
  sinceCompaction: number;
  unloadTimer: NodeJS.Timeout | null;
  users: number;
}

export interface DocManagerOptions {
  /** Compact the stored history after this many appended updates. */
  compactEvery?: number;
  /** Keep a document with no connection in memory this long. */
  unloadAfterMs?: number;
  /**
   * Called after each commit with the document's new version (the sequence number of its last
   * stored update) and, when messages were added, the last message in display order.
   */
  onChanged?: (
    docId: string,
    version: number,
    last: MessageRecord | null | undefined,
    memberIds: () => string[],
  ) => void;
  /** Called with each committed update (after storage, before relay): the cross-node fan-out hook. */
  onCommitted?: (docId: string, update: Uint8Array) => void;
}

/** The y-websocket relay frame for an update: messageSync (0), messageYjsUpdate (2), update. */
export function encodeUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Loading a document that has more stored rows than this compacts them into one snapshot. */
export const COMPACT_ON_LOAD_ROWS = 50;

export class DocManager {
  private readonly docs = new Map<string, Internal>();
  private readonly loading = new Map<string, Promise<Internal>>();
  private readonly compactEvery: number;
  private readonly unloadAfterMs: number;

  constructor(
    private readonly store: DocStore,
    private readonly options: DocManagerOptions = {},
  ) {
    this.compactEvery = options.compactEvery ?? 500;
    this.unloadAfterMs = options.unloadAfterMs ?? 30_000;
  }

  isLoaded(docId: string): boolean {
    return this.docs.has(docId);
  }

  /** Load (or reuse) a document and hold it until `release`. */
  async acquire(docId: string): Promise<LoadedDoc> {
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

  release(loaded: LoadedDoc): void {
    const d = loaded as Internal;
    d.users--;
    if (d.users > 0 || d.unloadTimer) return;
    d.unloadTimer = setTimeout(() => {
      d.unloadTimer = null;
      void this.run(d, () => this.unloadIfIdle(d));
    }, this.unloadAfterMs);
    d.unloadTimer.unref();
  }

  /** Run fn on the document's serial queue. Errors reject the returned promise, not the queue. */
  run<T>(loaded: LoadedDoc, fn: () => T | Promise<T>): Promise<T> {
    const d = loaded as Internal;
    const result = d.queue.then(fn);
    d.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Persist every change made to the document since the last commit, then relay it to every
   * peer but the one it came from. Must run on the document's queue. False when nothing changed.
   */
  async commit(loaded: LoadedDoc): Promise<boolean> {
    const d = loaded as Internal;
    if (d.pending.length === 0) return false;
    const batch = d.pending.splice(0);
    const merged = batch.length === 1 ? batch[0].update : Y.mergeUpdates(batch.map((b) => b.update));
    d.lastSeq = await this.store.append(d.id, merged);
    d.sinceCompaction++;
    this.options.onCommitted?.(d.id, merged);
    for (const { update, origin } of batch) {
      const frame = encodeUpdateFrame(update);
      for (const peer of d.peers) if (peer !== origin) peer.send(frame);
    }
    this.options.onChanged?.(d.id, d.lastSeq, d.messagesAdded ? d.last : undefined, () => [
      ...membersMap(d.doc).keys(),
    ]);
    d.messagesAdded = false;
    if (d.sinceCompaction >= this.compactEvery) await this.compact(d);
    return true;
  }

  /** Close the connections of a user, to one document or (docId null) to all. */
  closePeers(docId: string | null, userId: string, code: number, reason: string): void {
    const docs =
      docId === null ? [...this.docs.values()] : [this.docs.get(docId)].filter((d) => d !== undefined);
    for (const d of docs)
      for (const peer of [...d.peers]) if (peer.userId === userId) peer.close(code, reason);
  }

  /** A change made by the server itself (metadata, member mirror), committed and relayed like any other. */
  async change(docId: string, fn: (doc: Y.Doc) => void): Promise<void> {
    const loaded = await this.acquire(docId);
    try {
      await this.run(loaded, async () => {
        loaded.doc.transact(() => fn(loaded.doc), 'server');
        await this.commit(loaded);
      });
    } finally {
      this.release(loaded);
    }
  }

  /** Drop uncommitted changes by reloading: used when storage failed, so memory never runs ahead of disk. */
  async evict(loaded: LoadedDoc, closeCode: number, reason: string): Promise<void> {
    const d = loaded as Internal;
    for (const peer of [...d.peers]) peer.close(closeCode, reason);
    d.peers.clear();
    this.docs.delete(d.id);
    d.doc.destroy();
  }

  private async load(docId: string): Promise<Internal> {
    const { updates, lastSeq } = await this.store.load(docId);
    const doc = new Y.Doc({ gc: true });
    if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
    const d: Internal = {
      id: docId,
      doc,
      awareness: new Awareness(doc),
      peers: new Set(),
      last: lastMessage(doc),
      queue: Promise.resolve(),
      pending: [],
      messagesAdded: false,
      lastSeq,
      sinceCompaction: updates.length > 1 ? updates.length : 0,
      unloadTimer: null,
      users: 0,
    };
    // The server holds no awareness state of its own.
    d.awareness.setLocalState(null);
    doc.on('update', (update: Uint8Array, origin: unknown) => d.pending.push({ update, origin }));
    messagesMap(doc).observe((event) => {
      for (const key of event.keysChanged) {
        const m = messagesMap(doc).get(key);
        if (!isMessageRecord(m)) {
          if (d.last?.id === key) d.last = lastMessage(doc);
          continue;
        }
        if (!d.last || compareMessages(m, d.last) > 0) d.last = m;
      }
      d.messagesAdded = true;
    });
    // A long log (a crash before the unload compaction, say) is folded once, so the next load is quick.
    if (updates.length > COMPACT_ON_LOAD_ROWS) await this.compact(d);
    this.docs.set(docId, d);
    return d;
  }

  private async compact(d: Internal): Promise<void> {
    if (d.sinceCompaction === 0 || d.lastSeq === 0) return;
    await this.store.compact(d.id, Y.encodeStateAsUpdate(d.doc), d.lastSeq);
    d.sinceCompaction = 0;
  }

  private async unloadIfIdle(d: Internal): Promise<void> {
    if (d.users > 0 || this.docs.get(d.id) !== d) return;
    await this.compact(d);
    // Someone may have connected while an asynchronous store was compacting.
    if (d.users > 0) return;
    this.docs.delete(d.id);
    d.awareness.destroy();
    d.doc.destroy();
  }

  /** Compact and drop every loaded document (server shutdown). */
  async closeAll(): Promise<void> {
    for (const d of [...this.docs.values()]) {
      await this.run(d, async () => {
        await this.compact(d);
        for (const peer of [...d.peers]) peer.close(4503, 'server shutting down');
        this.docs.delete(d.id);
        d.doc.destroy();
      });
    }
  }
}
