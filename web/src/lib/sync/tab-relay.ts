/**
 * The tab relay: one discussion document shared with the same user's other tabs over a
 * BroadcastChannel named like its IndexedDB database. Changes are relayed both ways (applied
 * with an origin of their own, never sent back), a tab that opens the document is answered with
 * what it lacks, acknowledgements are shared, and a tab rebuilding the document after a refused
 * update tells the others to close theirs until it is done.
 *
 * Each tab keeps its own sockets: what another tab received from the server is applied with the
 * document's server origin (`serverOrigin`), so it counts as acknowledged and is not sent back.
 */
import * as Y from 'yjs';
import type { ReadCursor } from '@palabre/shared/discussion/index';

/** Origin of updates received from another tab: applied, persisted, never re-broadcast. */
export const TAB_ORIGIN = Symbol('other-tab');

export type TabMessage =
  /** A change made by another tab, or received by it from the server (`server`). */
  | { t: 'update'; u: Uint8Array; server?: boolean }
  /** A tab opened the document: answer with what it lacks. */
  | { t: 'hello'; sv: Uint8Array }
  | { t: 'welcome'; u: Uint8Array; sv: Uint8Array }
  /** Acknowledgements received by another tab. */
  | { t: 'acked'; a: ReadCursor }
  /** Another tab discards the local copy (refused update): close it, wait for 'rebuilt'. */
  | { t: 'reset' }
  | { t: 'rebuilt' };

/** What the relay needs from the document it serves. */
export interface RelayTarget {
  /** The current document (replaced by a rebuild). */
  doc(): Y.Doc;
  /** The origin the document's sync client applies server updates with. */
  serverOrigin(): unknown;
  /** The local copy is loaded (only then does this tab answer a newcomer). */
  loaded(): boolean;
  /** Closed while another tab rebuilds: nothing is applied. */
  paused(): boolean;
  onAcked(acked: ReadCursor): void;
  onReset(): void;
  onRebuilt(): void;
}

/** An update with no content encodes as two zero bytes. */
const EMPTY_UPDATE_BYTES = 2;

export class TabRelay {
  #channel: BroadcastChannel | null = null;
  /** Applying an update another tab received from the server: not broadcast again. */
  #relaying = false;

  constructor(
    name: string,
    private readonly target: RelayTarget,
  ) {
    try {
      this.#channel = new BroadcastChannel(name);
      this.#channel.onmessage = (event: MessageEvent<TabMessage>) => this.#receive(event.data);
    } catch {
      this.#channel = null; // No BroadcastChannel: each tab syncs through the server alone.
    }
  }

  /** A change of the document: relay it unless it came from another tab or from IndexedDB. */
  forward(update: Uint8Array, origin: unknown, localCopy: unknown): void {
    if (origin === TAB_ORIGIN || origin === localCopy || this.#relaying) return;
    this.#post({ t: 'update', u: update, server: origin === this.target.serverOrigin() });
  }

  /** The local copy is loaded: ask the other tabs for what they have that IndexedDB does not (yet). */
  hello(): void {
    this.#post({ t: 'hello', sv: Y.encodeStateVector(this.target.doc()) });
  }

  acked(acked: ReadCursor): void {
    this.#post({ t: 'acked', a: acked });
  }

  reset(): void {
    this.#post({ t: 'reset' });
  }

  rebuilt(): void {
    this.#post({ t: 'rebuilt' });
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
  }

  #post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel: the other tabs read IndexedDB when they open the document.
    }
  }

  #receive(message: TabMessage): void {
    if (!this.#channel || !message || typeof message !== 'object') return;
    const target = this.target;
    const doc = target.doc();
    switch (message.t) {
      case 'update':
        if (target.paused()) break;
        if (message.server) {
          // From the server through another tab: applied as if our sync client had received it,
          // so it counts as acknowledged and is not sent back to the server.
          this.#relaying = true;
          try {
            Y.applyUpdate(doc, message.u, target.serverOrigin());
          } finally {
            this.#relaying = false;
          }
        } else {
          Y.applyUpdate(doc, message.u, TAB_ORIGIN);
        }
        break;
      case 'hello':
        if (target.loaded() && !target.paused())
          this.#post({
            t: 'welcome',
            u: Y.encodeStateAsUpdate(doc, message.sv),
            sv: Y.encodeStateVector(doc),
          });
        break;
      case 'welcome': {
        if (target.paused()) break;
        Y.applyUpdate(doc, message.u, TAB_ORIGIN);
        const missing = Y.encodeStateAsUpdate(doc, message.sv);
        if (missing.byteLength > EMPTY_UPDATE_BYTES) this.#post({ t: 'update', u: missing });
        break;
      }
      case 'acked':
        target.onAcked(message.a);
        break;
      case 'reset':
        target.onReset();
        break;
      case 'rebuilt':
        target.onRebuilt();
        break;
    }
  }
}
