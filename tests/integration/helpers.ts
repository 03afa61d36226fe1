/** Test fixtures: a real server on port 0 over a real SQLite file, real users, real y-websocket clients. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startServer, type RunningServer, type ServerConfig } from '@palabre/sync-server';
import {
  addMessage,
  listMessages,
  type DiscussionSummary,
  type PublicUser,
  type ServerEvent,
} from '@palabre/shared';

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

/** An admin, `root` unless named (created through the service layer, logged in through the real HTTP API). */
export async function createAdmin(server: RunningServer, username = 'root'): Promise<TestUser> {
  await server.auth.createUser({
    username,
    displayName: username === 'root' ? 'Root' : username,
    password: 'rootpass123',
    role: 'admin',
  });
  return login(server.url, username, 'rootpass123');
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

export interface ApiInit {
  method?: string;
  body?: unknown;
  rawBody?: string;
}

export async function api<T = unknown>(
  url: string,
  path: string,
  token: string | null,
  init: ApiInit = {},
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
  if (status !== 201 && status !== 200)
    throw new Error(`create discussion: ${status} ${JSON.stringify(body)}`);
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

export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The message texts of a document, in display order. */
export const texts = (doc: Y.Doc): string[] => listMessages(doc).map((m) => m.text);

/** Write a message as this user, the way the web app does. */
export function say(doc: Y.Doc, author: TestUser, text: string): void {
  addMessage(doc, { author: author.user.id, text, now: Date.now() });
}

/** The update a user's client would send for one new message (checked by the server like any other). */
export function messageUpdate(author: TestUser, text: string): Uint8Array {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  addMessage(doc, { author: author.user.id, text, now: Date.now() });
  return updates[0];
}

/** A /api/events socket that records every event it receives. */
export async function openEvents(serverUrl: string, token: string) {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const events: ServerEvent[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data)) as ServerEvent));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    events,
    /** The first event (already received or still to come) that matches. */
    async next<E extends ServerEvent = ServerEvent>(
      match: (event: ServerEvent) => boolean,
      what = 'event',
    ): Promise<E> {
      let found: ServerEvent | undefined;
      await until(() => (found = events.find(match)) !== undefined, 10_000, what);
      return found as E;
    },
    socket: ws,
    close: () => ws.close(),
  };
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const repoRoot = join(fixtures, '../../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited, whatever the cause. */
  exited: Promise<void>;
}

/**
 * Run the server in its own process (node --import tsx, so the pid is the server itself and a
 * SIGKILL hits it, not a wrapper). Resolves once it listens.
 */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'server-process.ts')], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then(() => reject(new Error(`server process exited before listening: ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, exited };
}
