/**
 * The /api/events WebSocket: the server pushes discussion summaries as they change. It
 * reconnects by itself with capped exponential backoff and jitter, so a restarting server is
 * not hammered by every client at the same instant.
 */
import type { ServerEvent } from '@palabre/shared';
import { CloseCode } from '@palabre/shared/close-codes';
import { wsBase } from '$lib/api.js';

export type EventsStatus = 'connecting' | 'connected' | 'disconnected';

export interface EventsHandlers {
  onEvent(event: ServerEvent): void;
  onStatus(status: EventsStatus): void;
  /** The server closed with 4401: the session is over, do not reconnect. */
  onUnauthorized(): void;
  /** A connection attempt failed before opening (a refused upgrade looks like this). */
  onRefused?(): void;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** Delay before reconnection attempt n (0-based): full jitter over a capped exponential. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export class EventsSocket {
  #ws: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #running = false;

  constructor(private readonly handlers: EventsHandlers) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    window.addEventListener('online', this.#reconnectNow);
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    window.removeEventListener('online', this.#reconnectNow);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = ws.onerror = null;
      ws.close();
    }
  }

  /** Back online: skip the rest of the backoff. */
  #reconnectNow = (): void => {
    if (!this.#running || this.#ws) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    this.#connect();
  };

  #connect(): void {
    this.#timer = null;
    this.handlers.onStatus('connecting');
    const ws = new WebSocket(`${wsBase()}/api/events`);
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.handlers.onStatus('connected');
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let event: ServerEvent;
      try {
        event = JSON.parse(message.data) as ServerEvent;
      } catch {
        return;
      }
      if (event && typeof event === 'object' && typeof event.type === 'string') this.handlers.onEvent(event);
    };
    ws.onclose = (close) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.handlers.onStatus('disconnected');
      if (close.code === CloseCode.Unauthorized) {
        this.#running = false;
        this.handlers.onUnauthorized();
        return;
      }
      if (!this.#running) return;
      if (!opened) this.handlers.onRefused?.();
      this.#timer = setTimeout(() => this.#connect(), backoffDelay(this.#attempt++));
    };
    // Errors are followed by a close event, which does the work.
    ws.onerror = () => {};
  }
}
