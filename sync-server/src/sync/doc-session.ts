/**
 * What a connection and an observer see of a loaded document (doc-manager.ts implements them):
 * a connection's only way in is its DocSession; observers are told of each document's life.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { CloseCode } from '@palabre/shared';

export interface Peer {
  readonly userId: string;
  /** Send a complete y-websocket frame. */
  send(frame: Uint8Array): void;
  close(code: CloseCode, reason: string): void;
}

/** One connection's handle on a loaded document; the document stays loaded until `leave`. */
export interface DocSession {
  readonly id: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  /** Relay this document's committed updates to peer from now on. */
  join(peer: Peer): void;
  /** The connection has gone (or never opened): no more relay, and the document may unload. */
  leave(): void;
  /** Run fn on the document's serial queue. Errors reject the returned promise, not the queue. */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
  /**
   * On the queue: store every change made since the last commit, then relay each to every peer
   * but the one it came from (its Yjs origin). False when nothing changed. Call it before
   * reading the document for a peer (a state vector, a sync step 2): memory then equals storage.
   */
  commit(): Promise<boolean>;
  /**
   * On the queue, right after applying a peer's update: store it with the next group commit, by
   * the last of the steps queued during the previous write (or sooner, when a step commits). Resolves
   * once stored and relayed (true), at once with false when the step changed nothing. Never
   * await it on the queue: the commit it waits for runs after this step.
   */
  commitSoon(): Promise<boolean>;
  /** Send a frame that is never stored (awareness) to every peer but `from`. */
  broadcast(frame: Uint8Array, from: Peer): void;
  /** Storage failed: drop the document from memory (it reloads from disk) and close its connections. */
  fail(): void;
}

/** Told about each document's life, in order: loaded, committed (any number of times), unloaded. */
export interface DocObserver {
  /** The document is in memory, before any connection sees it. */
  loaded?(docId: string, doc: Y.Doc): void;
  /**
   * An update was stored; it is relayed to this node's connections right after. `version` is the sequence number storage gave it (several
   * nodes: this node publishes it with the update, replication.ts).
   */
  committed?(docId: string, version: number, update: Uint8Array): void;
  /** The document left memory (idle, evicted after a storage failure, or server shutdown). */
  unloaded?(docId: string): void;
}
