/**
 * Abuse limits against a real server: a flooding client is closed (4429) while the others keep
 * talking, a client that never reads is dropped before its buffer grows, stalled handshakes are
 * dropped, sockets per user and request bodies are capped, and every response carries the
 * browser security headers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import {
  connect,
  createDiscussion,
  createUser,
  messageUpdate,
  rawSocket,
  refusalStatus,
  removeDataDir,
  say,
  sleep,
  startTestServer,
  texts,
  until,
  waitForSync,
  type TestServer,
} from './helpers.js';

/** "At once": a close that has not come within a few seconds is a failure, not a hang. */
const within = <T>(promise: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)),
  ]);

let server: TestServer;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await server.close();
  removeDataDir(server.dataDir);
});

async function group(overrides: Parameters<typeof startTestServer>[0]) {
  server = await startTestServer(overrides);
  const alice = await createUser(server, 'Alice');
  const bob = await createUser(server, 'Bob');
  const mallory = await createUser(server, 'Mallory');
  const d = await createDiscussion(server.url, alice, [bob, mallory], 'Équipe');
  return { alice, bob, mallory, id: d.id };
}

/** An awareness frame announcing a state of `size` characters for one client at one clock. */
function awarenessFrame(clientId: number, clock: number, size: number): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, JSON.stringify({ user: { name: 'x'.repeat(size) } }));
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 1);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

/** A raw TCP client that completes the WebSocket handshake and then never reads again. */
async function nonReader(port: number, path: string): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(String(d))));
  expect(head).toMatch(/^HTTP\/1.1 101/);
  socket.pause();
  socket.on('error', () => {});
  return socket;
}

describe('flooding', () => {
  it("closes a flooding client with 4429 while another member's messages keep flowing", async () => {
    const { alice, bob, mallory, id } = await group({
      limits: { syncFramesPerSecond: 20, syncFramesBurst: 40 },
    });
    const b = connect(server.url, id, bob.token);
    const witness = connect(server.url, id, alice.token);
    cleanups.push(
      () => b.provider.destroy(),
      () => witness.provider.destroy(),
    );
    await Promise.all([waitForSync(b.provider), waitForSync(witness.provider)]);

    const flooder = await connectAttacker(server.url, id, mallory.token);
    cleanups.push(() => flooder.socket.terminate());
    say(b.doc, bob, 'avant le flot');
    for (let i = 0; i < 400 && flooder.socket.readyState === 1; i++)
      flooder.sendUpdate(messageUpdate(mallory, `spam ${i}`));
    say(b.doc, bob, 'pendant le flot');
    expect(await within(flooder.closed)).toBe(CloseCode.RateLimited);
    for (let i = 0; i < 5; i++) {
      say(b.doc, bob, `après le flot ${i}`);
      await sleep(30);
    }
    const bobs = ['avant le flot', 'pendant le flot', ...[0, 1, 2, 3, 4].map((i) => `après le flot ${i}`)];
    await until(() => bobs.every((t) => texts(witness.doc).includes(t)), 10_000, "Bob's messages");
    // The flood was cut short: far fewer than the 400 spam messages got in.
    const spam = texts(witness.doc).filter((t) => t.startsWith('spam'));
    expect(spam.length).toBeLessThan(100);
  });
});

describe('a client that never reads', () => {
  it('is disconnected before its send buffer grows past the bound; server memory stays bounded', async () => {
    const maxBufferedBytes = 512 * 1024;
    const { alice, bob, id } = await group({
      limits: {
        maxBufferedBytes,
        syncFramesPerSecond: 10_000,
        syncFramesBurst: 10_000,
        syncBytesPerSecond: 1e9,
        syncBytesBurst: 1e9,
      },
    });
    const reader = await nonReader(server.port, `/sync/${id}?token=${bob.token}`);
    cleanups.push(() => reader.destroy());
    const writer = await rawSocket(`${server.url.replace(/^http/, 'ws')}/sync/${id}`, {
      authorization: `Bearer ${alice.token}`,
    });
    cleanups.push(() => writer.terminate());
    await until(() => server.socketStats().sockets === 2, 5000, 'both sockets open');

    // 60 MB of presence updates, relayed to the reader (never stored): far more than the
    // kernel's socket buffers can absorb, so without the bound it would pile up in the server.
    let maxBuffered = 0;
    const sampler = setInterval(
      () => (maxBuffered = Math.max(maxBuffered, server.socketStats().bufferedBytes)),
      2,
    );
    try {
      for (let clock = 1; clock <= 80 && server.socketStats().sockets === 2; clock++) {
        writer.send(awarenessFrame(424242, clock, 750_000));
        await until(() => writer.bufferedAmount === 0, 5000, 'writer flushed');
        await sleep(5);
      }
      await until(() => server.socketStats().sockets === 1, 10_000, 'the non-reader dropped');
    } finally {
      clearInterval(sampler);
    }
    // Never more than the bound plus the frame that tipped it.
    expect(maxBuffered).toBeLessThanOrEqual(maxBufferedBytes + 800_000);
    // The writer is untouched.
    expect(writer.readyState).toBe(1);
  });
});

describe('handshakes and sockets', () => {
  it('drops a connection whose upgrade request stalls, without any credential', async () => {
    await group({ limits: { handshakeTimeoutMs: 500 } });
    const stalled = tcpConnect(server.port, '127.0.0.1');
    cleanups.push(() => stalled.destroy());
    let closed = false;
    stalled.on('close', () => (closed = true));
    stalled.on('error', () => {});
    stalled.write('GET /sync/abcdefghij HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    const silent = tcpConnect(server.port, '127.0.0.1');
    cleanups.push(() => silent.destroy());
    let silentClosed = false;
    silent.on('close', () => (silentClosed = true));
    silent.on('error', () => {});
    await until(() => closed && silentClosed, 8000, 'stalled connections dropped');
  });

  it('caps the open sockets of one user (429 too_many_sockets), others unaffected', async () => {
    const { alice, bob, id } = await group({ limits: { socketsPerUser: 3 } });
    const url = `${server.url.replace(/^http/, 'ws')}/sync/${id}`;
    for (let i = 0; i < 3; i++) {
      const ws = await rawSocket(url, { authorization: `Bearer ${alice.token}` });
      cleanups.push(() => ws.terminate());
    }
    expect(await refusalStatus(url, { authorization: `Bearer ${alice.token}` })).toBe(429);
    const other = await rawSocket(url, { authorization: `Bearer ${bob.token}` });
    cleanups.push(() => other.terminate());
    expect(other.readyState).toBe(1);
  });
});

describe('request bodies and headers', () => {
  it('refuses a chunked body over the JSON cap with 413 payload_too_large', async () => {
    const { alice } = await group({ limits: { jsonBodyBytes: 1024 } });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // A body with no Content-Length (chunked): only a cap on what streams in can stop it.
        if (sent++ >= 64) return controller.close();
        controller.enqueue(new TextEncoder().encode(`"${'x'.repeat(1000)}",`));
      },
    });
    const res = await fetch(`${server.url}/api/discussions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.PayloadTooLarge);
  });

  it('sends CSP, framing, sniffing, referrer and permissions headers on the API and the app; HSTS with https', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'palabre-web-'));
    writeFileSync(
      join(webRoot, 'index.html'),
      `<!doctype html><html><head><meta http-equiv="content-security-policy" content="script-src 'self' 'sha256-abc='"></head><body></body></html>`,
    );
    writeFileSync(join(webRoot, 'service-worker.js'), 'self.addEventListener("fetch", () => {});');
    await group({ webRoot, publicUrl: 'https://chat.example.com' });
    for (const path of ['/api/health', '/api/openapi.json', '/discussions/abc', '/service-worker.js']) {
      const res = await fetch(`${server.url}${path}`);
      const h = res.headers;
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
      expect(h.get('x-frame-options'), path).toBe('DENY');
      expect(h.get('referrer-policy'), path).toBe('same-origin');
      expect(h.get('permissions-policy'), path).toContain('camera=()');
      expect(h.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(h.get('strict-transport-security'), path).toMatch(/max-age=\d+/);
    }
    const page = await fetch(`${server.url}/discussions/abc`);
    expect(page.headers.get('content-security-policy')).toBe(
      "script-src 'self' 'sha256-abc='; frame-ancestors 'none'",
    );
    const api = await fetch(`${server.url}/api/health`);
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    removeDataDir(webRoot);
  });

  it('sets a Secure cookie when PUBLIC_URL is https', async () => {
    server = await startTestServer({ publicUrl: 'https://chat.example.com' });
    await server.auth.createUser({ username: 'sam', displayName: 'Sam', password: 'password123' });
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sam', password: 'password123' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });
});
