/**
 * Every open WebSocket (sync and events) by user and by session: caps the number a user may
 * hold, and closes the sockets of a session the moment it ends (revoked token, "end this
 * session"), without waiting for them to send anything.
 */
import type { CloseCode } from '@palabre/shared';

export interface TrackedSocket {
  userId: string;
  sessionId: string;
  close(code: CloseCode, reason: string): void;
  /** Bytes waiting in this socket's send buffer. */
  buffered(): number;
}

export class SocketRegistry {
  private readonly byUser = new Map<string, Set<TrackedSocket>>();
  private readonly bySession = new Map<string, Set<TrackedSocket>>();

  countOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Track a socket; the returned function forgets it (call it when the socket closes). */
  add(socket: TrackedSocket): () => void {
    addTo(this.byUser, socket.userId, socket);
    addTo(this.bySession, socket.sessionId, socket);
    return () => {
      removeFrom(this.byUser, socket.userId, socket);
      removeFrom(this.bySession, socket.sessionId, socket);
    };
  }

  /** How many sockets are open and how many bytes wait in their send buffers, all together. */
  stats(): { sockets: number; bufferedBytes: number } {
    let sockets = 0;
    let bufferedBytes = 0;
    for (const set of this.byUser.values())
      for (const s of set) {
        sockets++;
        bufferedBytes += s.buffered();
      }
    return { sockets, bufferedBytes };
  }

  closeSessions(sessionIds: string[], code: CloseCode, reason: string): void {
    for (const id of sessionIds) for (const s of [...(this.bySession.get(id) ?? [])]) s.close(code, reason);
  }
}

function addTo(map: Map<string, Set<TrackedSocket>>, key: string, socket: TrackedSocket): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(socket);
}

function removeFrom(map: Map<string, Set<TrackedSocket>>, key: string, socket: TrackedSocket): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(socket);
  if (set.size === 0) map.delete(key);
}
