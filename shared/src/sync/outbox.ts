/**
 * The outbox is not a queue of its own: a message waits as long as the server has not
 * acknowledged the Yjs item that holds it. The server acknowledges by sending its state vector
 * (sync step 1) after each committed update; whatever that vector covers is stored for good.
 * So "pending" survives reloads (the document is in IndexedDB, the acknowledged vector beside
 * it), delivery is exactly once (a message is one map key), and order is the author's own
 * (its hybrid clock only grows).
 */
import * as Y from 'yjs';
import { messagesMap, type ReadCursor } from '../discussion/schema.js';
import { isMessageRecord, type MessageRecord } from '../discussion/record.js';
import { compareMessages } from '../discussion/messages.js';
import { covers, itemIdOf, mergeCursor } from '../discussion/reads.js';

/** Messages by userId that the server has not acknowledged yet, in display order. */
export function pendingMessages(doc: Y.Doc, userId: string, acked: ReadCursor | undefined): MessageRecord[] {
  const messages = messagesMap(doc);
  const out: MessageRecord[] = [];
  for (const [key, m] of messages.entries()) {
    if (!isMessageRecord(m) || m.author !== userId) continue;
    const id = itemIdOf(messages as Y.Map<unknown>, key);
    if (id && !covers(acked, id)) out.push(m);
  }
  return out.sort(compareMessages);
}

export function isPending(doc: Y.Doc, messageId: string, acked: ReadCursor | undefined): boolean {
  const id = itemIdOf(messagesMap(doc) as Y.Map<unknown>, messageId);
  return id !== null && !covers(acked, id);
}

/** Fold a newly received server state vector into what is known to be acknowledged. */
export function acknowledge(acked: ReadCursor | undefined, serverStateVector: Uint8Array): ReadCursor | null {
  const next: ReadCursor = {};
  for (const [client, clock] of Y.decodeStateVector(serverStateVector)) next[String(client)] = clock;
  return mergeCursor(acked, next);
}
