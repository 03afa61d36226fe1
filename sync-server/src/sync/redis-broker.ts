/**
 * The broker between several nodes, over Redis pub/sub (REDIS_URL). Channels, all under one
 * key prefix: `control` (every node), `doc:<id>` (only nodes holding that document subscribe),
 * `user:<id>` (sidebar events; only nodes holding an events socket of that user subscribe), so a
 * node receives nothing about discussions and people its own clients do not use. Each message
 * carries the sending node's id: a node acts on its own messages at once, locally, and ignores
 * their echo. Pub/sub delivery is not guaranteed (a node that loses
 * Redis misses what was published meanwhile): documents are caught up from storage on resume.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ServerEvent } from '@palabre/shared';
import type { Logger } from '../log.js';
import type { Broker, Control } from './broker.js';

const NODE_ID_BYTES = 8;

export interface RedisBrokerOptions {
  url: string;
  /** Every channel starts with this (several deployments, or tests, on one Redis). */
  prefix?: string;
  logger?: Logger;
}

export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const prefix = options.prefix ?? 'palabre:';
  const node = randomBytes(NODE_ID_BYTES);
  const nodeId = node.toString('hex');
  const redisOptions = { maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(n * 100, 1000) };
  // Publishing while Redis is away fails at once (the others catch up from storage on resume);
  // subscribing waits for it to come back.
  const pub = new Redis(options.url, { ...redisOptions, lazyConnect: true, enableOfflineQueue: false });
  const sub = new Redis(options.url, { ...redisOptions, lazyConnect: true });
  for (const client of [pub, sub])
    client.on('error', (err) => options.logger?.warn({ event: 'redis_error', err }, 'redis error'));
  await Promise.all([pub.connect(), sub.connect()]);

  const controlChannel = `${prefix}control`;
  const docChannel = (docId: string) => `${prefix}doc:${docId}`;
  const userPrefix = `${prefix}user:`;
  const userChannel = (userId: string) => `${userPrefix}${userId}`;
  const eventHandlers = new Set<(userIds: string[], event: ServerEvent) => void>();
  const controlHandlers = new Set<(message: Control) => void>();
  const resumeHandlers = new Set<() => void>();
  const followed = new Map<string, (seq: number, update: Uint8Array) => void>();
  /** Users with events sockets here: how many `followUser` calls hold each, and their subscription. */
  const users = new Map<string, { holds: number; subscribed: Promise<unknown> }>();
  const channels = () => [
    controlChannel,
    ...[...followed.keys()].map(docChannel),
    ...[...users.keys()].map(userChannel),
  ];
  const deliverEvent = (userIds: string[], event: ServerEvent) => {
    for (const h of eventHandlers) h(userIds, event);
  };
  const deliverControl = (message: Control) => {
    for (const h of controlHandlers) h(message);
  };

  sub.on('messageBuffer', (channelBytes: Buffer, message: Buffer) => {
    const channel = channelBytes.toString();
    if (channel === controlChannel || channel.startsWith(userPrefix)) {
      const { from, event, control } = JSON.parse(message.toString()) as {
        from: string;
        event?: ServerEvent;
        control?: Control;
      };
      if (from === nodeId) return;
      if (event) deliverEvent([channel.slice(userPrefix.length)], event);
      if (control) deliverControl(control);
      return;
    }
    const docId = channel.slice(prefix.length + 'doc:'.length);
    const handler = followed.get(docId);
    if (!handler || message.byteLength < NODE_ID_BYTES + 8) return;
    if (message.subarray(0, NODE_ID_BYTES).equals(node)) return;
    const seq = Number(message.readBigUInt64BE(NODE_ID_BYTES));
    const update = message.subarray(NODE_ID_BYTES + 8);
    handler(seq, new Uint8Array(update.buffer, update.byteOffset, update.byteLength));
  });
  await sub.subscribe(controlChannel);

  // After a loss, subscribe again ourselves (and wait for it) before telling anyone to catch up:
  // an update published after that point arrives by Redis, one before it is in storage.
  let lost = false;
  sub.on('close', () => {
    lost = true;
  });
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    void sub
      .subscribe(...channels())
      .then(() => {
        options.logger?.info({ event: 'redis_resumed' }, 'redis link back: catching up from storage');
        for (const h of resumeHandlers) h();
      })
      .catch(() => undefined);
  });

  // Documents whose updates could not be published while our own link was away: once it is back,
  // the other nodes are told to read them from storage.
  const unpublished = new Set<string>();
  const send = (channel: string, payload: string | Buffer, docId?: string) => {
    pub.publish(channel, payload).catch((err: unknown) => {
      if (docId) unpublished.add(docId);
      options.logger?.warn({ event: 'redis_publish_failed', channel, err }, 'redis publish failed');
    });
  };
  pub.on('ready', () => {
    if (unpublished.size === 0) return;
    const docIds = [...unpublished];
    unpublished.clear();
    send(controlChannel, JSON.stringify({ from: nodeId, control: { kind: 'catch-up', docIds } }));
  });

  return {
    clustered: true,
    publish(userIds, event) {
      deliverEvent(userIds, event);
      if (userIds.length === 0) return;
      // One channel per user (a node follows only its own sockets' users), in one round trip.
      const payload = JSON.stringify({ from: nodeId, event });
      const batch = pub.pipeline();
      for (const id of userIds) batch.publish(userChannel(id), payload);
      batch.exec().catch((err: unknown) => {
        options.logger?.warn(
          { event: 'redis_publish_failed', channel: 'user:*', err },
          'redis publish failed',
        );
      });
    },
    async followUser(userId) {
      let user = users.get(userId);
      if (user) user.holds++;
      else users.set(userId, (user = { holds: 1, subscribed: sub.subscribe(userChannel(userId)) }));
      await user.subscribed;
    },
    async followed(userIds) {
      if (userIds.length === 0) return new Set<string>();
      try {
        // NUMSUB answers channel, count, channel, count… in the order asked.
        const counts = (await pub.pubsub('NUMSUB', ...userIds.map(userChannel))) as (string | number)[];
        return new Set(userIds.filter((_, i) => Number(counts[2 * i + 1]) > 0));
      } catch {
        return null; // cannot tell: build the event (publishing it fails the same way)
      }
    },
    unfollowUser(userId) {
      const user = users.get(userId);
      if (!user) return;
      if (--user.holds > 0) return;
      users.delete(userId);
      sub.unsubscribe(userChannel(userId)).catch(() => undefined);
    },
    subscribe(handler) {
      eventHandlers.add(handler);
      return () => eventHandlers.delete(handler);
    },
    control(message) {
      deliverControl(message);
      send(controlChannel, JSON.stringify({ from: nodeId, control: message }));
    },
    onControl(handler) {
      controlHandlers.add(handler);
      return () => controlHandlers.delete(handler);
    },
    publishUpdate(docId, seq, update) {
      const header = Buffer.alloc(NODE_ID_BYTES + 8);
      node.copy(header);
      header.writeBigUInt64BE(BigInt(seq), NODE_ID_BYTES);
      send(docChannel(docId), Buffer.concat([header, update]), docId);
    },
    async follow(docId, handler) {
      followed.set(docId, handler);
      await sub.subscribe(docChannel(docId));
    },
    unfollow(docId) {
      if (!followed.delete(docId)) return;
      sub.unsubscribe(docChannel(docId)).catch(() => undefined);
    },
    onResume(handler) {
      resumeHandlers.add(handler);
      return () => resumeHandlers.delete(handler);
    },
    async close() {
      followed.clear();
      users.clear();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
