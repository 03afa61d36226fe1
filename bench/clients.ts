/** Stock y-websocket clients (one Y.Doc and one WebsocketProvider each) and Palabre's HTTP API. */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { DiscussionSummary, LoginResult } from '@palabre/shared';
import { WebSocketPolyfill, countingPolyfill, type ByteCounter } from './ws.js';

/** Where a client connects: y-websocket's serverUrl (the room is appended) and, for Palabre, a token. */
export interface Seat {
  room: string;
  token: string | null;
  /** This seat's server when not the workload's (clients of one room spread over several nodes). */
  serverUrl?: string;
}

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export function openClient(serverUrl: string, seat: Seat, options: { counter?: ByteCounter } = {}): Client {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, seat.room, doc, {
    WebSocketPolyfill: options.counter ? countingPolyfill(options.counter) : WebSocketPolyfill,
    disableBc: true,
    params: seat.token ? { token: seat.token } : {},
    maxBackoffTime: 500,
  });
  return { doc, provider };
}

export function closeClient(client: Client): void {
  client.provider.destroy();
  client.doc.destroy();
}

export function waitSynced(provider: WebsocketProvider, timeoutMs: number): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      provider.off('sync', onSync);
      reject(new Error(`no sync from ${provider.url.replace(/token=[^&]+/, 'token=…')} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onSync = (synced: boolean) => {
      if (!synced) return;
      clearTimeout(timer);
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
}

/** Open every seat, a batch at a time, and wait until all are synced. */
export async function openAll(
  serverUrl: string,
  seats: Seat[],
  timeoutMs = 60_000,
  counter?: ByteCounter,
): Promise<Client[]> {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < seats.length; i += 25) {
      const batch = seats
        .slice(i, i + 25)
        .map((seat) => openClient(seat.serverUrl ?? serverUrl, seat, { counter }));
      clients.push(...batch);
      await Promise.all(batch.map((c) => waitSynced(c.provider, timeoutMs)));
    }
  } catch (err) {
    clients.forEach(closeClient);
    throw err;
  }
  return clients;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Member {
  userId: string;
  token: string;
}

/** Log in through POST /api/auth/login, a few at a time (each login is a scrypt check). */
export async function loginAll(httpUrl: string, usernames: string[], password: string): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < usernames.length; i += 4) {
    const batch = await Promise.all(
      usernames
        .slice(i, i + 4)
        .map((username) => post<LoginResult>(`${httpUrl}/api/auth/login`, { username, password })),
    );
    members.push(...batch.map((r) => ({ userId: r.user.id, token: r.token })));
  }
  return members;
}

/** POST /api/discussions as creator; returns the discussion id. */
export async function createDiscussion(
  httpUrl: string,
  creator: Member,
  others: Member[],
  title?: string,
): Promise<string> {
  const summary = await post<DiscussionSummary>(
    `${httpUrl}/api/discussions`,
    { memberIds: others.map((o) => o.userId), title },
    creator.token,
  );
  return summary.id;
}
