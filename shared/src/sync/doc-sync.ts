/**
 * DocSync: keeps one Y.Doc in sync with /sync/<discussionId> over the y-websocket protocol
 * (the same bytes as the stock WebsocketProvider, so either can talk to the server), with what
 * a chat needs on top: reconnect with capped exponential backoff and jitter, an immediate try
 * when asked (the browser came back online), acknowledgements (the server's state vector after
 * each stored update, see outbox.ts), and the server's close codes surfaced as events.
 * The WebSocket implementation is injected: the browser's, or `ws` in Node tests.
 */
import * as Y from 'yjs';
import { CloseCode } from '../close-codes.js';
import { DEFAULT_BACKOFF, delayAfterClose, type BackoffOptions } from './backoff.js';
import { readFrame, step1Frame, step2Frame, SyncStep, updateFrame } from './frames.js';

export type SyncStatus = 'connecting' | 'connected' | 'disconnected' | 'stopped';

interface SocketLike {
  binaryType: string;
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface DocSyncOptions {
  /** Full URL of the document's endpoint, e.g. wss://host/sync/<id> (with ?token=… outside browsers). */
  url: string;
  socket: SocketFactory;
  backoff?: BackoffOptions;
  /** Send a sync step 1 this often while connected, as a keepalive and a resync. */
  resyncMs?: number;
  /** Consider the connection dead after this long without any frame. */
  silenceMs?: number;
}

export interface DocSyncEvents {
  status: (status: SyncStatus) => void;
  /** The first full exchange with the server after each connection completed. */
  synced: () => void;
  /** The server's state vector: everything it covers is stored for good. */
  ack: (stateVector: Uint8Array) => void;
  /** The server closed for good (4401, 4403, 4404) or refused an update (4422, with its reason). */
  stopped: (code: number, reason: string) => void;
  /** Bytes received, for measurements. */
  bytes: (count: number) => void;
}

const FINAL_CODES = new Set<number>([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.NotFound,
  CloseCode.UpdateRejected,
]);

export class DocSync {
  status: SyncStatus = 'disconnected';
  /** True once the server's step 2 arrived on the current connection. */
  synced = false;
  /**
   * True once we answered the server's step 1 on this connection. Until then local updates are
   * not sent one by one: the answer (everything the server lacks) will carry them, so the server
   * never receives an update whose predecessors it does not have.
   */
  private handshaken = false;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** After a 4429 nothing reconnects before this time, not even retryNow(). */
  private pausedUntil = 0;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private wanted = false;
  private deniedReason = '';
  private readonly listeners: { [K in keyof DocSyncEvents]: Set<DocSyncEvents[K]> } = {
    status: new Set(),
    synced: new Set(),
    ack: new Set(),
    stopped: new Set(),
    bytes: new Set(),
  };

  constructor(
    readonly doc: Y.Doc,
    private readonly options: DocSyncOptions,
  ) {
    doc.on('update', this.onLocalUpdate);
  }

  on<K extends keyof DocSyncEvents>(event: K, listener: DocSyncEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private emit<K extends keyof DocSyncEvents>(event: K, ...args: Parameters<DocSyncEvents[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: Parameters<DocSyncEvents[K]>) => void)(...args);
  }

  private setStatus(status: SyncStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }

  connect(): void {
    if (this.status === 'stopped') return;
    this.wanted = true;
    if (this.socket) return;
    const paused = this.pausedUntil - Date.now();
    if (paused > 0) {
      // Told to slow down (4429): keep the pending retry, or wait out the rest of the pause.
      if (!this.retryTimer)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (this.wanted && !this.socket) this.open();
        }, paused);
      return;
    }
    this.clearRetry();
    this.open();
  }

  /** Try now, forgetting the backoff (the browser reports it is online again). */
  retryNow(): void {
    if (!this.wanted || this.status === 'stopped') return;
    if (Date.now() < this.pausedUntil) return;
    this.attempt = 0;
    if (!this.socket) {
      this.clearRetry();
      this.open();
    }
  }

  disconnect(): void {
    this.wanted = false;
    this.clearRetry();
    this.socket?.close(1000, 'client disconnect');
    this.dropSocket();
    if (this.status !== 'stopped') this.setStatus('disconnected');
  }

  destroy(): void {
    this.disconnect();
    this.doc.off('update', this.onLocalUpdate);
    for (const set of Object.values(this.listeners)) set.clear();
  }

  private open(): void {
    this.setStatus('connecting');
    this.synced = false;
    this.handshaken = false;
    let socket: SocketLike;
    try {
      socket = this.options.socket(this.options.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.lastFrameAt = Date.now();
      this.setStatus('connected');
      this.sendStep1();
      const resyncMs = this.options.resyncMs ?? 25_000;
      const silenceMs = this.options.silenceMs ?? 60_000;
      this.resyncTimer = setInterval(() => {
        if (Date.now() - this.lastFrameAt > silenceMs)
          socket.close(CloseCode.SilentConnection, 'silent connection');
        else this.sendStep1();
      }, resyncMs);
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      const data = new Uint8Array(event.data as ArrayBuffer);
      this.emit('bytes', data.byteLength);
      this.onFrame(data);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.dropSocket();
      if (FINAL_CODES.has(event.code)) {
        this.wanted = false;
        this.setStatus('stopped');
        this.emit('stopped', event.code, this.deniedReason || event.reason);
        return;
      }
      this.setStatus('disconnected');
      if (this.wanted) this.scheduleRetry(event.code);
    };
  }

  private dropSocket(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    if (this.socket) {
      this.socket.onopen = this.socket.onmessage = this.socket.onclose = null;
    }
    this.socket = null;
    this.synced = false;
    this.handshaken = false;
  }

  private scheduleRetry(closeCode = 0): void {
    this.clearRetry();
    const delay = delayAfterClose(closeCode, this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF);
    if (closeCode === CloseCode.RateLimited) this.pausedUntil = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.wanted && !this.socket) this.open();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private send(frame: Uint8Array): void {
    if (this.socket && this.socket.readyState === 1) this.socket.send(frame);
  }

  private sendStep1(): void {
    this.send(step1Frame(Y.encodeStateVector(this.doc)));
  }

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || !this.handshaken) return;
    this.send(updateFrame(update));
  };

  private onFrame(data: Uint8Array): void {
    try {
      const frame = readFrame(data);
      if (frame.type === 'denied') {
        this.deniedReason = frame.reason;
        return;
      }
      if (frame.type !== 'sync') return; // awareness and others: not used here
      if (frame.step === SyncStep.Step1) {
        const serverVector = frame.payload;
        // Answer with what the server lacks: this is how offline writes leave.
        this.send(step2Frame(Y.encodeStateAsUpdate(this.doc, serverVector)));
        this.handshaken = true;
        this.emit('ack', serverVector);
      } else {
        Y.applyUpdate(this.doc, frame.payload, this);
        if (frame.step === SyncStep.Step2 && !this.synced) {
          this.synced = true;
          this.attempt = 0;
          this.emit('synced');
        }
      }
    } catch {
      this.socket?.close(CloseCode.MalformedFrame, 'undecodable frame from server');
    }
  }
}
