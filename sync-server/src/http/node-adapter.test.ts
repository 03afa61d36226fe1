/**
 * The node:http → Hono adapter with the light Request/Response (node-adapter.ts, web-shims.ts),
 * through a real server on port 0 and real HTTP requests: bodies arrive whole whenever and
 * however a handler reads them, answers go out as Hono wrote them.
 */
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeServer } from './node-adapter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const app = new Hono();
// A handler that awaits something (a PostgreSQL query, say) before it reads the body.
app.post('/late', async (c) => {
  await sleep(30);
  return c.json({ got: await c.req.json() });
});
// Something asked for the body stream first (as a body-size check may), then the text is read.
app.post('/stream-then-text', async (c) => {
  void c.req.raw.body;
  await sleep(10);
  return c.text(await c.req.text());
});
app.post('/size', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
app.post('/form', async (c) => {
  const form = await c.req.formData();
  return c.json({ name: form.get('name') });
});
app.delete('/thing', async (c) => c.json({ hasBody: c.req.raw.body !== null }));
app.get('/cookies', (c) => {
  c.header('set-cookie', 'a=1', { append: true });
  c.header('set-cookie', 'b=2', { append: true });
  return c.body(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('un '));
        controller.enqueue(new TextEncoder().encode('deux'));
        controller.close();
      },
    }),
  );
});

let url = '';
const server = createNodeServer(app.fetch);
beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('node adapter', () => {
  it('hands the whole JSON body to a handler that reads it late', async () => {
    const body = JSON.stringify({ title: 'Réunion', members: ['a', 'b'] });
    const res = await fetch(`${url}/late`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { title: 'Réunion', members: ['a', 'b'] } });
  });

  it('reads the text whole after the body stream was asked for', async () => {
    const res = await fetch(`${url}/stream-then-text`, { method: 'POST', body: 'bonjour à tous' });
    expect(await res.text()).toBe('bonjour à tous');
  });

  it('reads a large chunked body whole', async () => {
    const size = 3 * 1024 * 1024;
    const bytes = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${url}/size`, { method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      for (let sent = 0; sent < size; sent += 64 * 1024) req.write(Buffer.alloc(64 * 1024, 7));
      req.end();
    });
    expect(JSON.parse(bytes)).toEqual({ bytes: size });
  });

  it('parses multipart forms through Node’s own Request', async () => {
    const form = new FormData();
    form.set('name', 'photo chantier.jpg');
    const res = await fetch(`${url}/form`, { method: 'POST', body: form });
    expect(await res.json()).toEqual({ name: 'photo chantier.jpg' });
  });

  it('gives a request without Content-Length or Transfer-Encoding no body', async () => {
    const res = await fetch(`${url}/thing`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ hasBody: false });
  });

  it('streams a response body and keeps every Set-Cookie', async () => {
    const res = await fetch(`${url}/cookies`);
    expect(await res.text()).toBe('un deux');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('answers 400 to a request whose Host cannot make a URL, and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/thing`, { method: 'DELETE', headers: { host: 'bad host' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect((await fetch(`${url}/thing`, { method: 'DELETE' })).status).toBe(200);
  });
});
