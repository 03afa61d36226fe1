/**
 * What the services need from the live side: open sync connections (DocManager) and events
 * sockets (EventHub). Declared here and implemented in sync/, so services never import sync/
 * and the arrows point one way: routes -> services -> storage, sync -> services.
 */
import type * as Y from 'yjs';
import type { CloseCode, ServerEvent } from '@palabre/shared';

export interface LiveDocs {
  /**
   * A change made by the server itself (metadata, member mirror, a purge), committed and relayed
   * like any other; with `compact`, the stored history is compacted before it resolves.
   */
  change<T>(docId: string, fn: (doc: Y.Doc) => T, options?: { compact?: boolean }): Promise<T>;
  /** Read a document (loaded or not) without keeping it in memory; fn must not change it. */
  read<T>(docId: string, fn: (doc: Y.Doc) => T): Promise<T>;
  /** Close the sync connections of a user, to one document or (docId null) to all. */
  closePeers(docId: string | null, userId: string, code: CloseCode, reason: string): void;
}

export interface Notifier {
  /** Send an event to these users' events sockets, on every node. */
  publish(userIds: string[], event: ServerEvent): void;
  /**
   * Which of these users have an events socket open (on this node or, with several, on any)? All
   * asked at once: the answer is a test of one user.
   */
  listening(userIds: string[]): Promise<(userId: string) => boolean>;
  /** Close every events socket of a user (logged out everywhere, disabled). */
  closeUser(userId: string, code: CloseCode, reason: string): void;
}
