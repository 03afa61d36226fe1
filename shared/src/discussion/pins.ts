/** Pinned messages: one entry per pinned message id. */
import * as Y from 'yjs';
import { pinsMap, type PinEntry } from './schema.js';

export function pin(doc: Y.Doc, messageId: string, by: string, now: number): void {
  if (!pinsMap(doc).has(messageId)) pinsMap(doc).set(messageId, { by, at: now });
}

export function unpin(doc: Y.Doc, messageId: string): void {
  pinsMap(doc).delete(messageId);
}

export function listPins(doc: Y.Doc): (PinEntry & { messageId: string })[] {
  return [...pinsMap(doc).entries()]
    .map(([messageId, entry]) => ({ messageId, ...entry }))
    .sort((a, b) => a.at - b.at);
}
