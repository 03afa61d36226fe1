/**
 * What nodes tell each other. One node (the default) needs no one: the local broker delivers in
 * process, at once. Several nodes (REDIS_URL) share a Redis broker (redis-broker.ts) with the
 * same interface, so the rest of the server does not know how many nodes there are.
 *
 * - Control messages (close these sockets, forget these files, count this failed login) reach
 *   every node.
 * - Events for sidebars reach the nodes where their users have an events socket open: a node
 *   follows a user while it holds one of their events sockets (`followUser`).
 * - Committed document updates reach only the nodes that follow that document (hold it in
 *   memory); storage is the truth, the broker only makes it fast: a node that lost the broker
 *   catches up from storage when it comes back (`onResume`).
 */
import type { CloseCode, ServerEvent } from '@palabre/shared';

/** Close sockets wherever they are: a revoked membership, a disabled account, an ended session. */
export type Control =
  | { kind: 'close-peers'; docId: string | null; userId: string; code: CloseCode; reason: string }
  | { kind: 'close-events'; userId: string; code: CloseCode; reason: string }
  | { kind: 'close-sessions'; sessionIds: string[]; code: CloseCode; reason: string }
  /** Updates of these documents could not be published: nodes holding them read storage again. */
  | { kind: 'catch-up'; docIds: string[] }
  /** These files of a discussion were removed: nodes holding it refuse references to them. */
  | { kind: 'files-removed'; docId: string; fileIds: string[] }
  /**
   * A failed login (or a success that clears its account) for every node's login throttle: the
   * throttle's keys only (account name as typed, trimmed and lowercased; client address), never
   * the password.
   */
  | { kind: 'login-failed'; account: string; address: string }
  | { kind: 'login-succeeded'; account: string };

export interface Broker {
  /** Several nodes share this broker (events are then built for every member, not only those connected here). */
  readonly clustered: boolean;
  /** Deliver an event for these users on this node at once, and on every node that follows one of them. */
  publish(userIds: string[], event: ServerEvent): void;
  subscribe(handler: (userIds: string[], event: ServerEvent) => void): () => void;
  /**
   * Receive the events other nodes publish for userId (this node holds an events socket of theirs);
   * resolves once they are followed. Calls nest: followed until as many `unfollowUser` calls.
   */
  followUser(userId: string): Promise<void>;
  unfollowUser(userId: string): void;
  /**
   * Which of these users does any node (this one included) follow? All of them asked at once (one
   * round trip); none on one node; null when it cannot be told (Redis away).
   */
  followed(userIds: string[]): Promise<Set<string> | null>;
  /** Act on a control message on every node (on this one at once). */
  control(message: Control): void;
  onControl(handler: (message: Control) => void): () => void;
  /** Tell the other nodes following docId about an update committed with sequence number seq. */
  publishUpdate(docId: string, seq: number, update: Uint8Array): void;
  /** Receive the other nodes' committed updates of docId; resolves once they are followed. */
  follow(docId: string, handler: (seq: number, update: Uint8Array) => void): Promise<void>;
  unfollow(docId: string): void;
  /** The link to the other nodes came back after a loss: what was missed must be read from storage. */
  onResume(handler: () => void): () => void;
  close(): Promise<void>;
}

export function createLocalBroker(): Broker {
  const events = new Set<(userIds: string[], event: ServerEvent) => void>();
  const controls = new Set<(message: Control) => void>();
  return {
    clustered: false,
    publish(userIds, event) {
      for (const h of events) h(userIds, event);
    },
    subscribe(handler) {
      events.add(handler);
      return () => events.delete(handler);
    },
    control(message) {
      for (const h of controls) h(message);
    },
    onControl(handler) {
      controls.add(handler);
      return () => controls.delete(handler);
    },
    // One node: no one else holds its documents or its users' sockets.
    followUser: async () => undefined,
    unfollowUser() {},
    followed: async () => new Set<string>(),
    publishUpdate() {},
    follow: async () => undefined,
    unfollow() {},
    onResume: () => () => undefined,
    close: async () => undefined,
  };
}
