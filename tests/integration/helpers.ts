/** Test fixtures: a real server on port 0 over a real SQLite file, real users, real y-websocket clients. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startServer, type RunningServer, type ServerConfig } from '@palabre/sync-server';
import type { DiscussionSummary, PublicUser } from '@palabre/shared';

export interface TestServer extends RunningServer {
  dataDir: string;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'palabre-test-')),
): Promise<TestServer> {
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, unloadAfterMs: 200, ...overrides });
  return Object.assign(server, { dataDir });
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TestUser {
  user: PublicUser;
  token: string;
}

let counter = 0;

/** Create a user directly through the service layer, then log in through the real HTTP API. */
export async function createUser(server: RunningServer, displayName?: string): Promise<TestUser> {
  const username = `user${++counter}${Math.random().toString(36).slice(2, 6)}`;
  await server.auth.createUser({ username, displayName: displayName ?? username, password: 'password123' });
  return login(server.url, username, 'password123');
}

export async function login(url: string, username: string, password: string): Promise<TestUser> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TestUser;
}

export async function api<T = unknown>(
  url: string,
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function createDiscussion(
  url: string,
  creator: TestUser,
  others: TestUser[],
  title?: string,
): Promise<DiscussionSummary> {
  const { status, body } = await api<DiscussionSummary>(url, '/api/discussions', creator.token, {
    body: { memberIds: others.map((o) => o.user.id), title },
  });
  if (status !== 201 && status !== 200) throw new Error(`create discussion: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A stock y-websocket client, as a browser would use it, but without BroadcastChannel. */
export function connect(
  serverUrl: string,
  discussionId: string,
  token: string | null,
  doc = new Y.Doc(),
): { doc: Y.Doc; provider: WebsocketProvider } {
  const provider = new WebsocketProvider(`${serverUrl.replace(/^http/, 'ws')}/sync`, discussionId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: token ? { token } : {},
    maxBackoffTime: 300,
  });
  return { doc, provider };
}

export function waitForSync(provider: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sync timeout')), timeoutMs);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Open a raw WebSocket (a client that speaks bytes, not y-websocket). */
export type RawSocket = WebSocket & { frames: Uint8Array[] };

export function rawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = Object.assign(new WebSocket(url, { headers }), { frames: [] as Uint8Array[] });
    ws.binaryType = 'arraybuffer';
    ws.on('message', (data) => ws.frames.push(new Uint8Array(data as ArrayBuffer)));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The HTTP status with which the server refuses an upgrade; rejects if it accepts. */
export function refusalStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('the connection was accepted'));
    });
    ws.once('error', () => {});
  });
}

export function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}
