/**
 * /api/events: one WebSocket per browser tab carrying JSON events about the user's
 * discussions (created, changed, removed), so sidebars stay live without a socket per
 * discussion. Fan-out goes through a Broker so several nodes can share it later.
 */
import type { ServerEvent } from '@palabre/shared';

export interface EventSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

/** Cross-node fan-out of user events. The in-process one serves a single node. */
export interface Broker {
  publish(userIds: string[], event: ServerEvent): void;
  subscribe(handler: (userIds: string[], event: ServerEvent) => void): () => void;
}

export function createLocalBroker(): Broker {
  const handlers = new Set<(userIds: string[], event: ServerEvent) => void>();
  return {
    publish(userIds, event) {
      for (const h of handlers) h(userIds, event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}

export class EventHub {
  private readonly sockets = new Map<string, Set<EventSocket>>();

  constructor(private readonly broker: Broker) {
    broker.subscribe((userIds, event) => this.deliver(userIds, event));
  }

  add(userId: string, socket: EventSocket): () => void {
    let set = this.sockets.get(userId);
    if (!set) this.sockets.set(userId, (set = new Set()));
    set.add(socket);
    return () => {
      set.delete(socket);
      if (set.size === 0) this.sockets.delete(userId);
    };
  }

  /** Does any of these users have an events socket open (on this node)? */
  listening(userIds: string[]): boolean {
    return userIds.some((id) => this.sockets.has(id));
  }

  publish(userIds: string[], event: ServerEvent): void {
    this.broker.publish(userIds, event);
  }

  /** Close every event socket of a user (logged out everywhere, disabled). */
  closeUser(userId: string, code: number, reason: string): void {
    for (const s of this.sockets.get(userId) ?? []) s.close(code, reason);
  }

  private deliver(userIds: string[], event: ServerEvent): void {
    const data = JSON.stringify(event);
    for (const id of userIds) for (const s of this.sockets.get(id) ?? []) s.send(data);
  }
}
