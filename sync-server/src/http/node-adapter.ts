/**
 * Node's HTTP server in front of Hono's app.fetch, with the light Request/Response of
 * web-shims.ts: a JSON answer goes from Hono to the socket without Node's undici being loaded
 * (about 10 MiB resident, docs/BENCHMARKS.md). Replaces @hono/node-server's adapter, which
 * touched undici (and http2) on import. Handlers get `c.env.incoming` / `c.env.outgoing`, as
 * with that adapter.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LightHeaders, LightRequest, LightResponse, rawResponse } from './web-shims.js';

export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}
type FetchHandler = (request: Request, env: NodeBindings) => Response | Promise<Response>;

const SHIMMED = Symbol.for('palabre.web-shims.installed');

/** Make the light classes the globals Hono uses (once per process). */
export function installWebShims(): void {
  const g = globalThis as unknown as Record<symbol, boolean>;
  if (g[SHIMMED]) return;
  g[SHIMMED] = true;
  for (const [name, value] of [
    ['Headers', LightHeaders],
    ['Request', LightRequest],
    ['Response', LightResponse],
  ] as const) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

const SIMPLE_HOST = /^[a-z0-9._-]+(?::\d{1,5})?$/i;
const SIMPLE_PATH = /^\/[!#$&-;=?-[\]_a-z~]*$/i;

/** The request's absolute URL, or null when the target or host is not one a URL can hold. */
function requestUrl(incoming: IncomingMessage): string | null {
  const target = incoming.url ?? '/';
  const scheme = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  try {
    if (/^https?:\/\//i.test(target)) return new URL(target).href;
    const host = incoming.headers.host;
    if (!host || target[0] !== '/') return null;
    const url = `${scheme}://${host}${target}`;
    // The common case without parsing; anything unusual (dot segments, escapes) goes through URL.
    if (SIMPLE_HOST.test(host) && SIMPLE_PATH.test(target) && !/\/\.\.?(?:[/?#]|$)/.test(target)) return url;
    return new URL(url).href;
  } catch {
    return null;
  }
}

export function createNodeServer(fetch: FetchHandler): Server {
  installWebShims();
  return createServer((incoming, outgoing) => {
    void handle(fetch, incoming, outgoing).catch((err: unknown) => {
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain' });
      outgoing.end();
      outgoing.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

async function handle(fetch: FetchHandler, incoming: IncomingMessage, outgoing: ServerResponse) {
  const url = requestUrl(incoming);
  if (!url) {
    outgoing.writeHead(400).end();
    return;
  }
  const request = LightRequest.fromIncoming(incoming, url);
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) request.abort('Client connection prematurely closed.');
  });
  let response: Response;
  try {
    response = await fetch(request as unknown as Request, { incoming, outgoing });
  } catch {
    // Hono answers its own errors (app.onError); this is only a failure outside it.
    response = new LightResponse(null, { status: 500 }) as unknown as Response;
  }
  await writeResponse(response, outgoing);
}

async function writeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  const { status, headers, body } = rawResponse(response);
  const head: Record<string, string | string[]> = {};
  for (const [k, v] of headers) {
    if (k === 'set-cookie') ((head[k] as string[] | undefined) ??= []).push(v);
    else head[k] = v;
  }
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    if (body !== null && !('content-length' in head) && !('transfer-encoding' in head))
      head['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    outgoing.writeHead(status, head);
    outgoing.end(body ?? undefined);
    return;
  }
  outgoing.writeHead(status, head);
  outgoing.flushHeaders();
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  outgoing.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) return;
      if (!outgoing.write(value))
        await new Promise<void>((resolve) => {
          const go = () => {
            outgoing.off('drain', go);
            outgoing.off('close', go);
            resolve();
          };
          outgoing.on('drain', go);
          outgoing.on('close', go);
        });
    }
    outgoing.end();
  } catch (err) {
    outgoing.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    outgoing.off('close', cancel);
  }
}
