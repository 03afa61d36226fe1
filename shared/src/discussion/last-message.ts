/**
 * The last message of a discussion in display order (the sidebar's preview), followed as the
 * document changes without sorting every message again: a message that sorts later replaces
 * it; only removing or rewriting the current one looks through the whole map again.
 */
import type * as Y from 'yjs';
import { compareMessages, lastMessage } from './messages.js';
import { isMessageRecord, type MessageRecord } from './record.js';
import { messagesMap } from './schema.js';

export class LastMessageWatch {
  private last: MessageRecord | null;
  private changed = false;

  constructor(private readonly doc: Y.Doc) {
    this.last = lastMessage(doc);
    messagesMap(doc).observe(this.onChange);
  }

  get current(): MessageRecord | null {
    return this.last;
  }

  /** The last message when messages changed since the previous call, else undefined. */
  takeChange(): MessageRecord | null | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return this.last;
  }

  stop(): void {
    messagesMap(this.doc).unobserve(this.onChange);
  }

  private readonly onChange = (event: Y.YMapEvent<MessageRecord>) => {
    const messages = messagesMap(this.doc);
    for (const key of event.keysChanged) {
      const m = messages.get(key);
      if (this.last?.id === key) this.last = lastMessage(this.doc);
      else if (
        isMessageRecord(m) &&
        m.deletedAt === undefined &&
        (!this.last || compareMessages(m, this.last) > 0)
      )
        this.last = m;
    }
    this.changed = true;
  };
}
