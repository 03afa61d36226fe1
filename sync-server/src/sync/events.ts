/**
 * /api/events: one WebSocket per browser tab carrying JSON events about the user's
 * discussions (created, changed, removed), so sidebars stay live without a socket per
 * discussion. Fan-out goes through a Broker (broker.ts), so an event published on one node
 * reaches the user's sockets on every node that holds one, and closing them reaches every node.
 */
import type { CloseCode, ServerEvent } from '@palabre/shared';
import type { Broker } from './broker.js';

export interface EventSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

export class EventHub {
  private readonly sockets = new Map<string, Set<EventSocket>>();

  constructor(private readonly broker: Broker) {
    broker.subscribe((userIds, event) => this.deliver(userIds, event));
    broker.onControl((m) => {
      if (m.kind === 'close-events')
        for (const s of this.sockets.get(m.userId) ?? []) s.close(m.code, m.reason);
    });
  }

  /**
   * An events socket of userId is open here: events for them reach it from now on, from this node
   * at once and from the others once `ready` resolves (this node then follows the user through
   * the broker, for as long as it holds one of their sockets). `remove` when it closes.
   */
  add(userId: string, socket: EventSocket): { remove: () => void; ready: Promise<void> } {
    let set = this.sockets.get(userId);
    if (!set) this.sockets.set(userId, (set = new Set()));
    set.add(socket);
    const ready = this.broker.followUser(userId);
    let removed = false;
    return {
      ready,
      remove: () => {
        if (removed) return;
        removed = true;
        set.delete(socket);
        if (set.size === 0) this.sockets.delete(userId);
        this.broker.unfollowUser(userId);
      },
    };
  }

  /**
   * Which of these users have an events socket open, here or (several nodes) on a node that
   * follows them? One round trip to Redis at most for all of them (a sidebar flush asks once for
   * every discussion it announces), rather than building events no one would get. When the
   * broker cannot tell, everyone counts as listening.
   */
  async listening(userIds: string[]): Promise<(userId: string) => boolean> {
    const here = (id: string) => this.sockets.has(id);
    const elsewhere = [...new Set(userIds)].filter((id) => !here(id));
    if (!this.broker.clustered || elsewhere.length === 0) return here;
    const followed = await this.broker.followed(elsewhere);
    if (followed === null) return () => true;
    return (id) => here(id) || followed.has(id);
  }

  publish(userIds: string[], event: ServerEvent): void {
    this.broker.publish(userIds, event);
  }

  /** Close every event socket of a user (logged out everywhere, disabled), on every node. */
  closeUser(userId: string, code: CloseCode, reason: string): void {
    this.broker.control({ kind: 'close-events', userId, code, reason });
  }

  private deliver(userIds: string[], event: ServerEvent): void {
    const data = JSON.stringify(event);
    for (const id of userIds) for (const s of this.sockets.get(id) ?? []) s.send(data);
  }
}
