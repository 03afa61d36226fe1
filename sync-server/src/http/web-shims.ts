/**
 * Light Headers, Request and Response for Hono on Node, installed as the globals by
 * node-adapter.ts. Node's own classes come from its bundled undici, which costs about 10 MiB of
 * resident memory the first time any of them is touched (measured: docs/BENCHMARKS.md, idle RSS)
 * and which an idle server, or one answering JSON, never needs. These keep a request's method,
 * URL, headers and body, and a response's status, headers and body (string, bytes or a stream)
 * as plain values; anything else asked of them (formData, blob, clone, a Response from an
 * ArrayBuffer...) is answered by Node's real class, built on demand from those values.
 * `instanceof` accepts both kinds (the Symbol.toStringTag brand), so code that receives a real
 * Response from fetch() keeps working.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

type Real = { Headers: typeof Headers; Request: typeof Request; Response: typeof Response };
const ORIGINALS = Symbol.for('palabre.web-shims.originals');
const store = globalThis as unknown as Record<symbol, Record<keyof Real, PropertyDescriptor | undefined>>;
// Kept once per process (a test runner may evaluate this module again after the globals changed).
const originals = (store[ORIGINALS] ??= {
  Headers: Object.getOwnPropertyDescriptor(globalThis, 'Headers'),
  Request: Object.getOwnPropertyDescriptor(globalThis, 'Request'),
  Response: Object.getOwnPropertyDescriptor(globalThis, 'Response'),
});
/** Node's own class (loading undici the first time). */
function real<K extends keyof Real>(name: K): Real[K] {
  const d = originals[name];
  return (d?.get ? d.get.call(globalThis) : d?.value) as Real[K];
}

const branded = (tag: string) => (x: unknown) =>
  typeof x === 'object' && x !== null && Object.prototype.toString.call(x) === `[object ${tag}]`;

const TOKEN = /^[!#$%&'*+\-.^_`|~\dA-Za-z]+$/;
function headerName(name: string): string {
  const s = String(name);
  if (!TOKEN.test(s)) throw new TypeError(`Invalid header name: ${s}`);
  return s.toLowerCase();
}
function headerValue(value: string): string {
  const s = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (/[\0\r\n]/.test(s)) throw new TypeError(`Invalid header value: ${JSON.stringify(s)}`);
  return s;
}

export class LightHeaders {
  readonly #map = new Map<string, string[]>();
  static [Symbol.hasInstance] = branded('Headers');
  constructor(init?: HeadersInit | null) {
    if (init == null) return;
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<[string, string]>) {
        if (pair.length !== 2) throw new TypeError('Header pairs must have a name and a value');
        this.append(pair[0], pair[1]);
      }
    } else for (const [k, v] of Object.entries(init)) this.append(k, v);
  }
  append(name: string, value: string): void {
    const key = headerName(name);
    const v = headerValue(value);
    const list = this.#map.get(key);
    if (list) list.push(v);
    else this.#map.set(key, [v]);
  }
  set(name: string, value: string): void {
    this.#map.set(headerName(name), [headerValue(value)]);
  }
  delete(name: string): void {
    this.#map.delete(headerName(name));
  }
  get(name: string): string | null {
    return this.#map.get(headerName(name))?.join(', ') ?? null;
  }
  has(name: string): boolean {
    return this.#map.has(headerName(name));
  }
  getSetCookie(): string[] {
    return [...(this.#map.get('set-cookie') ?? [])];
  }
  *entries(): IterableIterator<[string, string]> {
    for (const key of [...this.#map.keys()].sort()) {
      const list = this.#map.get(key)!;
      if (key === 'set-cookie') for (const v of list) yield [key, v];
      else yield [key, list.join(', ')];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn: (value: string, key: string, parent: LightHeaders) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

/** A body kept as it was given: what the adapter writes without a real Response. */
export type PlainBody = string | Uint8Array | ReadableStream<Uint8Array> | null;
const isStream = (b: unknown): b is ReadableStream<Uint8Array> =>
  typeof (b as ReadableStream | null)?.getReader === 'function';
/** Streams handed out by `response.body` for a plain body, so a new Response made from one keeps the plain body. */
const plainOfStream = new WeakMap<object, string | Uint8Array>();

const RAW = Symbol.for('palabre.web-shims.raw');
export interface RawResponse {
  status: number;
  headers: LightHeaders;
  body: PlainBody;
}

export class LightResponse {
  readonly #status: number;
  readonly #statusText: string;
  #headers: LightHeaders | null = null;
  readonly #headersInit: HeadersInit | undefined;
  #body: PlainBody;
  #real: Response | null = null;
  static [Symbol.hasInstance] = branded('Response');

  constructor(given?: BodyInit | null, init?: ResponseInit) {
    let body: BodyInit | PlainBody | undefined = given;
    const status = init?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599)
      throw new RangeError(`Invalid status ${status}`);
    this.#status = status;
    this.#statusText = init?.statusText ?? '';
    this.#headersInit = init?.headers;
    const plain = body != null && typeof body === 'object' ? plainOfStream.get(body) : undefined;
    if (plain !== undefined && !(body as ReadableStream).locked) body = plain;
    if (body == null || typeof body === 'string' || body instanceof Uint8Array || isStream(body)) {
      this.#body = (body ?? null) as PlainBody;
    } else {
      // Blob, FormData, URLSearchParams, ArrayBuffer...: Node's Response knows how to encode them.
      this.#real = new (real('Response'))(body as BodyInit, {
        status,
        statusText: this.#statusText,
        headers: this.headers,
      });
      this.#headers = null;
      this.#body = null;
    }
  }
  /** The status, headers and body as given, or null once a real Response stands for this one. */
  get [RAW](): RawResponse | null {
    if (this.#real) return null;
    return { status: this.#status, headers: this.headers as unknown as LightHeaders, body: this.#body };
  }
  #materialize(): Response {
    this.#real ??= new (real('Response'))(this.#body as BodyInit | null, {
      status: this.#status,
      statusText: this.#statusText,
      headers: [...this.headers],
    });
    return this.#real;
  }
  get headers(): Headers {
    if (this.#real) return this.#real.headers;
    if (!this.#headers) {
      this.#headers = new LightHeaders(this.#headersInit);
      if (typeof this.#body === 'string' && !this.#headers.has('content-type'))
        this.#headers.set('content-type', 'text/plain;charset=UTF-8');
    }
    return this.#headers as unknown as Headers;
  }
  get status(): number {
    return this.#status;
  }
  get ok(): boolean {
    return this.#status >= 200 && this.#status < 300;
  }
  get statusText(): string {
    return this.#statusText;
  }
  get type(): ResponseType {
    return 'default';
  }
  get redirected(): boolean {
    return false;
  }
  get url(): string {
    return '';
  }
  get bodyUsed(): boolean {
    if (this.#real) return this.#real.bodyUsed;
    return isStream(this.#body) ? this.#body.locked : false;
  }
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real) return this.#real.body;
    const b = this.#body;
    if (b === null || isStream(b)) return b;
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    plainOfStream.set(stream, b);
    this.#body = stream;
    return stream;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#materialize().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.#materialize().blob();
  }
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#materialize().arrayBuffer());
  }
  formData(): Promise<FormData> {
    return this.#materialize().formData();
  }
  json(): Promise<unknown> {
    return this.#materialize().json();
  }
  text(): Promise<string> {
    return this.#materialize().text();
  }
  clone(): Response {
    return this.#materialize().clone();
  }
  get [Symbol.toStringTag](): string {
    return 'Response';
  }
  static json(data: unknown, init?: ResponseInit): LightResponse {
    const headers = new LightHeaders(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new LightResponse(JSON.stringify(data), { ...init, headers: [...headers] });
  }
  static redirect(url: string | URL, status = 302): Response {
    return real('Response').redirect(url, status);
  }
  static error(): Response {
    return real('Response').error();
  }
}

/** The plain parts of a response written by the adapter: from a light one, or read from a real one. */
export function rawResponse(res: Response): RawResponse {
  const raw = (res as unknown as { [RAW]?: RawResponse | null })[RAW];
  return raw ?? { status: res.status, headers: new LightHeaders(res.headers), body: res.body };
}

/** Built only by LightRequest.fromIncoming: what a request from Node is made of. */
class FromIncoming {
  constructor(
    readonly incoming: IncomingMessage,
    readonly url: string,
  ) {}
}

/** A request read from Node's IncomingMessage: the body is read once, as text/bytes/json or a stream. */
export class LightRequest {
  readonly method!: string;
  readonly url!: string;
  readonly #incoming!: IncomingMessage;
  #headers: LightHeaders | null = null;
  #abort: AbortController | null = null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null = null;
  static [Symbol.hasInstance] = branded('Request');

  /** `new Request(...)` in code (Hono's app.request, body-limit): Node's own Request. */
  constructor(input: RequestInfo | URL | FromIncoming, init?: RequestInit & { duplex?: 'half' }) {
    if (input instanceof FromIncoming) {
      this.#incoming = input.incoming;
      this.method = input.incoming.method ?? 'GET';
      this.url = input.url;
      return;
    }
    // A body given in init replaces this request's own (body-limit passes the bytes it read).
    const source = input instanceof LightRequest ? input.#toReal(init?.body == null) : input;
    if (init && isStream(init.body)) init = { ...init, duplex: 'half' };
    return new (real('Request'))(source, init) as unknown as LightRequest;
  }
  static fromIncoming(incoming: IncomingMessage, url: string): LightRequest {
    return new LightRequest(new FromIncoming(incoming, url));
  }
  get headers(): Headers {
    if (!this.#headers) {
      const h = new LightHeaders();
      const raw = this.#incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) h.append(raw[i], raw[i + 1]);
      this.#headers = h;
    }
    return this.#headers as unknown as Headers;
  }
  get signal(): AbortSignal {
    return (this.#abort ??= new AbortController()).signal;
  }
  /** The client went away before the response was sent. */
  abort(reason: string): void {
    (this.#abort ??= new AbortController()).abort(new Error(reason));
  }
  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }
  /** HTTP/1.1: a request has a body only when it says so (Content-Length or Transfer-Encoding). */
  get #hasBody(): boolean {
    const h = this.#incoming.headers;
    return (
      this.method !== 'GET' &&
      this.method !== 'HEAD' &&
      (h['transfer-encoding'] !== undefined || h['content-length'] !== undefined)
    );
  }
  get body(): ReadableStream<Uint8Array> | null {
    if (!this.#hasBody) return null;
    if (!this.#stream) {
      if (this.#used) throw new TypeError('Body is unusable');
      this.#stream = Readable.toWeb(this.#incoming) as unknown as ReadableStream<Uint8Array>;
    }
    return this.#stream;
  }
  async #bytes(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError('Body is unusable');
    this.#used = true;
    if (!this.#hasBody) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    // Once `body` was asked for, the bytes flow into that stream, not to the IncomingMessage's
    // readers: read them from there.
    const source: AsyncIterable<Uint8Array> = this.#stream ?? this.#incoming;
    for await (const chunk of source) {
      chunks.push(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
    }
    return Buffer.concat(chunks);
  }
  async text(): Promise<string> {
    return (await this.#bytes()).toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#bytes();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#bytes());
  }
  blob(): Promise<Blob> {
    return this.#toReal().blob();
  }
  formData(): Promise<FormData> {
    return this.#toReal().formData();
  }
  clone(): Request {
    return this.#toReal().clone();
  }
  #toReal(withBody = true): Request {
    const body = withBody ? this.body : null;
    return new (real('Request'))(this.url, {
      method: this.method,
      headers: [...(this.headers as unknown as LightHeaders)],
      signal: this.signal,
      ...(body ? { body, duplex: 'half' } : {}),
    } as RequestInit);
  }
  get [Symbol.toStringTag](): string {
    return 'Request';
  }
}
