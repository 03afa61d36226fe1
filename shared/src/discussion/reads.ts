/**
 * Read cursors and unread counts.
 *
 * A read cursor is the Yjs state vector the reader had when they last read the discussion
 * (client id -> clock). A message is read by a user when the cursor covers the Yjs item that
 * created it. Because the cursor records what was *seen* rather than a position in the sorted
 * list, a message written offline that arrives late is unread for everyone who had not seen
 * it, wherever its timestamp sorts it. Marking read merges by maximum with the cursor this
 * replica knows. Two devices of one user writing concurrently would leave one of the two values
 * (a map keeps one), possibly the one that saw less: the server merges both whenever a cursor
 * write reaches it (`applyKeepingCursor`, below), and a device that still sees unread messages marks
 * them again, so cursors converge and never stay behind.
 */
import * as Y from 'yjs';
import { messagesMap, readsMap, type ReadCursor } from './schema.js';
import { isMessageRecord } from './record.js';

interface ItemLike {
  id: { client: number; clock: number };
  deleted: boolean;
  left: ItemLike | null;
}

/** The Yjs id of the item holding map[key] now (a new one after each edit). */
export function itemIdOf(map: Y.Map<unknown>, key: string): { client: number; clock: number } | null {
  const item = (map as unknown as { _map: Map<string, ItemLike> })._map.get(key);
  return item && !item.deleted ? item.id : null;
}

/**
 * The Yjs id of the item that first created map[key]: an edit overwrites the entry with a new
 * item whose left neighbour is the one it replaced (kept, without content, after garbage
 * collection), so walking left reaches the creation. Reading is judged on it: editing a message
 * does not make it unread again, and « Vu » stays.
 */
export function createdIdOf(map: Y.Map<unknown>, key: string): { client: number; clock: number } | null {
  let item = (map as unknown as { _map: Map<string, ItemLike> })._map.get(key);
  if (!item || item.deleted) return null;
  while (item.left !== null) item = item.left;
  return item.id;
}

export function covers(cursor: ReadCursor | undefined, id: { client: number; clock: number }): boolean {
  return cursor !== undefined && (cursor[String(id.client)] ?? 0) > id.clock;
}

export function stateVectorOf(doc: Y.Doc): ReadCursor {
  const out: ReadCursor = {};
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) out[String(client)] = clock;
  return out;
}

/** cursor merged with next, by maximum; null when next adds nothing. */
export function mergeCursor(cursor: ReadCursor | undefined, next: ReadCursor): ReadCursor | null {
  const merged: ReadCursor = { ...cursor };
  let changed = false;
  for (const [client, clock] of Object.entries(next)) {
    if ((merged[client] ?? 0) < clock) {
      merged[client] = clock;
      changed = true;
    }
  }
  return changed ? merged : null;
}

export function getReadCursor(doc: Y.Doc, userId: string): ReadCursor | undefined {
  return readsMap(doc).get(userId);
}

/** Mark everything this replica has seen as read by userId. Returns true when the cursor moved. */
export function markRead(doc: Y.Doc, userId: string): boolean {
  // Only move when something is unread: writing on every change would make two readers of the
  // same discussion answer each other's cursor updates forever.
  if (unreadCount(doc, userId) === 0 && getReadCursor(doc, userId) !== undefined) return false;
  const merged = mergeCursor(getReadCursor(doc, userId), stateVectorOf(doc));
  if (!merged) return false;
  readsMap(doc).set(userId, merged);
  return true;
}

/** True when userId has seen the message (their own messages always count as seen). */
export function isReadBy(doc: Y.Doc, userId: string, messageId: string): boolean {
  const messages = messagesMap(doc);
  const m = messages.get(messageId);
  if (!isMessageRecord(m)) return false;
  if (m.author === userId) return true;
  const id = createdIdOf(messages as Y.Map<unknown>, messageId);
  return id !== null && covers(getReadCursor(doc, userId), id);
}

/** Messages by others that userId has not seen yet. */
export function unreadCount(doc: Y.Doc, userId: string): number {
  const messages = messagesMap(doc);
  const cursor = getReadCursor(doc, userId);
  let count = 0;
  for (const [key, m] of messages.entries()) {
    if (!isMessageRecord(m) || m.author === userId || m.deletedAt !== undefined) continue;
    const id = createdIdOf(messages as Y.Map<unknown>, key);
    if (id && !covers(cursor, id)) count++;
  }
  return count;
}

/** The users (other than the author) who have seen a message: « Vu par … ». */
export function seenBy(doc: Y.Doc, messageId: string): string[] {
  const messages = messagesMap(doc);
  const m = messages.get(messageId);
  const id = createdIdOf(messages as Y.Map<unknown>, messageId);
  if (!isMessageRecord(m) || !id) return [];
  const out: string[] = [];
  for (const [userId, cursor] of readsMap(doc).entries()) {
    if (userId !== m.author && covers(cursor, id)) out.push(userId);
  }
  return out;
}

/**
 * Apply a change written by userId without letting their read cursor go backwards. Two devices
 * of one user marking read concurrently each write the whole cursor, and a map keeps one value,
 * possibly the one that saw less, whichever arrived first; the replica that receives the write
 * (the server) puts back the union of what it had and what the change wrote (`written`, as
 * checkUpdate reports it), written with `origin`, so the cursor is never behind either.
 */
export function applyKeepingCursor(
  doc: Y.Doc,
  userId: string,
  apply: () => void,
  origin: unknown,
  written?: ReadCursor,
): void {
  const before = getReadCursor(doc, userId);
  apply();
  const after = getReadCursor(doc, userId);
  let union = after;
  for (const cursor of [before, written]) if (cursor) union = mergeCursor(union, cursor) ?? union;
  if (union && union !== after) doc.transact(() => readsMap(doc).set(userId, union), origin);
}
