/**
 * One user's unread state of one discussion document, kept up to date incrementally: unread
 * count, mention count, where my unread messages begin, and who has seen my last message
 * (« Vu »). Everything is derived from the document (messages and read cursors), so it is the
 * same on every device and cannot drift; the tracker only avoids rescanning 10,000 messages when
 * one arrives:
 *
 * - a changed message costs O(1) (its creation item is checked against my cursor);
 * - my cursor only grows (merged by maximum), so when it moves only the messages still unread
 *   are checked again; if it ever moved back (two devices overwriting each other for a moment,
 *   see reads.ts) the tracker rescans once;
 * - « Vu » checks each member's cursor against one message: O(members).
 *
 * It works on whatever document it is given: with a history split into segments, each segment
 * gets a tracker and the counts add up.
 */
import * as Y from 'yjs';
import { compareMessages } from './messages.js';
import { mentions } from './mentions.js';
import { covers, createdIdOf } from './reads.js';
import { messagesMap, readsMap, type ReadCursor } from './schema.js';
import { isMessageRecord, type MessageRecord } from './record.js';

interface Unread {
  client: number;
  clock: number;
  mention: boolean;
}

export interface SeenState {
  messageId: string;
  /** Users other than me whose cursor covers the message, in the order of the reads map. */
  by: string[];
}

export interface ReadTrackerOptions {
  /** A message mentioning me arrived unread (from anywhere: the server, another tab, IndexedDB). */
  onMention?: (record: MessageRecord, origin: unknown) => void;
}

export class ReadTracker {
  readonly #doc: Y.Doc;
  readonly #userId: string;
  readonly #unread = new Map<string, Unread>();
  #mentions = 0;
  #cursor: ReadCursor | undefined;
  #myLast: MessageRecord | null = null;
  /** My first unread message, or undefined when it must be looked for again. */
  #first: MessageRecord | null | undefined = null;
  readonly #onMessages: (event: Y.YMapEvent<MessageRecord>, tx: Y.Transaction) => void;
  readonly #onReads: (event: Y.YMapEvent<ReadCursor>) => void;

  constructor(doc: Y.Doc, userId: string, options: ReadTrackerOptions = {}) {
    this.#doc = doc;
    this.#userId = userId;
    this.#rescan();
    this.#onMessages = (event, tx) => {
      for (const key of event.keysChanged) {
        const arrived = this.#apply(key);
        if (arrived && arrived.mention) options.onMention?.(arrived.record, tx.origin);
      }
    };
    this.#onReads = (event) => {
      if (event.keysChanged.has(this.#userId)) this.#cursorMoved();
    };
    messagesMap(doc).observe(this.#onMessages);
    readsMap(doc).observe(this.#onReads);
  }

  /** Messages by others that I have not seen. */
  get unread(): number {
    return this.#unread.size;
  }

  /** Of those, the ones that mention me (by name or « @tous »). */
  get mentions(): number {
    return this.#mentions;
  }

  /** Is this message unread for me? */
  isUnread(messageId: string): boolean {
    return this.#unread.has(messageId);
  }

  /** My first unread message in display order (« Nouveaux messages » goes above it). */
  firstUnread(): string | null {
    if (this.#first === undefined) {
      // Only after the first one was read or deleted: O(unread) once.
      let first: MessageRecord | null = null;
      const messages = messagesMap(this.#doc);
      for (const key of this.#unread.keys()) {
        const m = messages.get(key);
        if (isMessageRecord(m) && (first === null || compareMessages(m, first) < 0)) first = m;
      }
      this.#first = first;
    }
    return this.#first?.id ?? null;
  }

  /** Who has seen my last message (not deleted). O(members). */
  seen(): SeenState | null {
    const last = this.#myLast;
    if (!last) return null;
    const id = createdIdOf(messagesMap(this.#doc) as Y.Map<unknown>, last.id);
    if (!id) return null;
    const by: string[] = [];
    for (const [userId, cursor] of readsMap(this.#doc).entries()) {
      if (userId !== this.#userId && covers(cursor, id)) by.push(userId);
    }
    return { messageId: last.id, by };
  }

  destroy(): void {
    messagesMap(this.#doc).unobserve(this.#onMessages);
    readsMap(this.#doc).unobserve(this.#onReads);
  }

  /** Re-evaluate one message. Returns it when it has just become unread. */
  #apply(key: string): { record: MessageRecord; mention: boolean } | null {
    const before = this.#unread.get(key);
    if (before) {
      this.#unread.delete(key);
      if (before.mention) this.#mentions--;
      if (this.#first?.id === key) this.#first = undefined;
    }
    const messages = messagesMap(this.#doc);
    const m = messages.get(key);
    const live = isMessageRecord(m) && m.deletedAt === undefined;
    this.#trackMine(key, live ? m : null);
    if (!live || m.author === this.#userId) return null;
    const id = createdIdOf(messages as Y.Map<unknown>, key);
    if (!id || covers(this.#cursor, id)) return null;
    const mention = mentions(m, this.#userId);
    this.#unread.set(key, { client: id.client, clock: id.clock, mention });
    if (mention) this.#mentions++;
    if (this.#first !== undefined && (this.#first === null || compareMessages(m, this.#first) < 0))
      this.#first = m;
    return before ? null : { record: m, mention };
  }

  #trackMine(key: string, m: MessageRecord | null): void {
    if (m && m.author === this.#userId) {
      if (this.#myLast === null || this.#myLast.id === key || compareMessages(m, this.#myLast) > 0)
        this.#myLast = m;
    } else if (this.#myLast?.id === key) {
      this.#myLast = this.#findMyLast(); // my last message was deleted: rare, a scan
    }
  }

  #findMyLast(): MessageRecord | null {
    let last: MessageRecord | null = null;
    for (const m of messagesMap(this.#doc).values()) {
      if (!isMessageRecord(m) || m.author !== this.#userId || m.deletedAt !== undefined) continue;
      if (last === null || compareMessages(m, last) > 0) last = m;
    }
    return last;
  }

  #cursorMoved(): void {
    const next = readsMap(this.#doc).get(this.#userId);
    const previous = this.#cursor;
    this.#cursor = next;
    if (!grows(previous, next)) {
      this.#rescan();
      return;
    }
    for (const [key, u] of this.#unread) {
      if (covers(next, u)) {
        this.#unread.delete(key);
        if (u.mention) this.#mentions--;
        if (this.#first?.id === key) this.#first = undefined;
      }
    }
  }

  #rescan(): void {
    this.#unread.clear();
    this.#mentions = 0;
    this.#first = null;
    this.#myLast = null;
    this.#cursor = readsMap(this.#doc).get(this.#userId);
    for (const key of messagesMap(this.#doc).keys()) this.#apply(key);
  }
}

/** Does `next` cover at least everything `previous` covered? */
function grows(previous: ReadCursor | undefined, next: ReadCursor | undefined): boolean {
  if (!previous) return true;
  if (!next) return false;
  for (const [client, clock] of Object.entries(previous)) if ((next[client] ?? 0) < clock) return false;
  return true;
}
