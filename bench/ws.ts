/**
 * The parts of the `ws` package the benchmark uses, typed here by hand: bench/ has no @types/ws
 * (adding it would change the root lockfile), and an ambient `declare module 'ws'` would leak
 * into the tests' real typings. Loaded with createRequire so TypeScript sees only these types.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

type WsData = ArrayBuffer | Buffer | Buffer[];

export interface WsSocket {
  on(event: 'message', listener: (data: WsData, isBinary: boolean) => void): this;
  on(event: 'close' | 'error', listener: (...args: unknown[]) => void): this;
  close(): void;
  terminate(): void;
}

export type WsSocketClass = new (url: string, protocols?: string | string[]) => WsSocket;

export interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WsSocket) => void): void;
  readonly clients: Set<WsSocket>;
  close(): void;
}

const require = createRequire(import.meta.url);
const ws = require('ws') as {
  WebSocket: WsSocketClass;
  WebSocketServer: new (options: { noServer: true }) => WsServer;
};

export const WebSocketServer = ws.WebSocketServer;

/** The WebSocket class y-websocket expects as its polyfill. */
export const WebSocketPolyfill = ws.WebSocket as unknown as typeof globalThis.WebSocket;

/** y-websocket frame kinds: sync step 1, step 2, update; awareness; anything else. */
export const FRAME_KINDS = ['step1', 'step2', 'update', 'awareness', 'other'] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

export interface ByteCounter {
  /** Payload bytes of every incoming frame (WebSocket framing headers not included). */
  bytes: number;
  frames: number;
  kinds: Record<FrameKind, number>;
}

export const newCounter = (): ByteCounter => ({
  bytes: 0,
  frames: 0,
  kinds: { step1: 0, step2: 0, update: 0, awareness: 0, other: 0 },
});

export function resetCounter(counter: ByteCounter): void {
  counter.bytes = 0;
  counter.frames = 0;
  for (const kind of FRAME_KINDS) counter.kinds[kind] = 0;
}

const SYNC_KINDS: FrameKind[] = ['step1', 'step2', 'update'];

/** The kind of a y-websocket frame: [0 = sync, 0|1|2] or [1 = awareness]. */
function kindOf(first: number | undefined, second: number | undefined): FrameKind {
  if (first === 0) return SYNC_KINDS[second ?? -1] ?? 'other';
  return first === 1 ? 'awareness' : 'other';
}

function firstBytes(data: WsData): [number | undefined, number | undefined] {
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : data;
  return [bytes[0], bytes[1]];
}

const byteLength = (data: WsData) =>
  Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;

/** A polyfill class whose sockets add what they receive to counter. */
export function countingPolyfill(counter: ByteCounter): typeof globalThis.WebSocket {
  class CountingWebSocket extends ws.WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('message', (data) => {
        counter.bytes += byteLength(data);
        counter.frames++;
        counter.kinds[kindOf(...firstBytes(data))]++;
      });
    }
  }
  return CountingWebSocket as unknown as typeof globalThis.WebSocket;
}
