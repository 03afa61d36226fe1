/**
 * The /api/events WebSocket: the server pushes discussion summaries as they change. It
 * reconnects by itself with capped exponential backoff and jitter (the same as DocSync), so a
 * restarting server is not hammered by every client at the same instant, and gives up only on
 * 4401 (the session is over).
 */
import type { ServerEvent } from '@palabre/shared';
import { CloseCode } from '@palabre/shared/close-codes';
import { backoffDelay, type BackoffOptions } from '@palabre/shared/sync/backoff';
import { wsBase } from '$lib/api.js';

export type EventsStatus = 'connecting' | 'connected' | 'disconnected';

export interface EventsHandlers {
  onEvent(event: ServerEvent): void;
  /** Status changes; `failures` counts attempts in a row that never opened. */
  onStatus(status: EventsStatus, failures: number): void;
  /** The server closed with 4401: the session is over, do not reconnect. */
  onUnauthorized(): void;
  /** A connection attempt failed before opening (a refused upgrade looks like this). */
  onRefused?(): void;
}

const BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

export class EventsSocket {
  #ws: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #failures = 0;
  #running = false;

  constructor(private readonly handlers: EventsHandlers) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = ws.onerror = null;
      ws.close();
    }
  }

  /** Try now, skipping the rest of the backoff (the browser says it is back online). */
  retryNow(): void {
    if (!this.#running || this.#ws) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    this.#connect();
  }

  #connect(): void {
    this.#timer = null;
    this.handlers.onStatus('connecting', this.#failures);
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${wsBase()}/api/events`);
    } catch {
      this.#schedule();
      return;
    }
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#failures = 0;
      this.handlers.onStatus('connected', 0);
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
      if (!opened) this.#failures++;
      this.handlers.onStatus('disconnected', this.#failures);
      if (close.code === CloseCode.Unauthorized) {
        this.#running = false;
        this.handlers.onUnauthorized();
        return;
      }
      if (!this.#running) return;
      if (!opened) this.handlers.onRefused?.();
      this.#schedule();
    };
    // Errors are followed by a close event, which does the work.
    ws.onerror = () => {};
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#connect(), backoffDelay(this.#attempt++, BACKOFF));
  }
}
