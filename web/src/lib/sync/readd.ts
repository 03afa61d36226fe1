/**
 * Rollback and re-add, the pure part: after the server refused an update (close 4422) the local
 * copy is discarded; my messages that were still waiting and remain valid are kept aside
 * (`planReadd`, stored in localStorage meanwhile) and written again into the rebuilt document
 * (`applyReadd`) with the same id, time and text, so they keep their place in the conversation.
 * Records are copied through the message model (shared/discussion/record.ts), so a field added
 * to the record survives a rollback without touching this file.
 */
import * as Y from 'yjs';
import {
  Message,
  archivedAt,
  messagesMap,
  purgedBefore,
  type MessageRecord,
} from '@palabre/shared/discussion/index';
import { resubmittable } from './offline.js';
import { keys, readJson, removeKey, writeJson, type Readd } from './storage.js';

/** After a refused update, rebuilds in a row that re-add my messages; then they are dropped. */
export const MAX_READD_ROLLBACKS = 2;

/**
 * What to re-add after this refusal: what the previous refusal still had to re-add, plus my
 * pending messages of the discarded document (the latter win for the same id).
 */
export function planReadd(
  prior: Readd | null,
  pending: readonly MessageRecord[],
  me: string,
  canWrite: boolean,
  model = Message,
): Readd {
  const rollbacks = (prior?.rollbacks ?? 0) + 1;
  const candidates = new Map<string, MessageRecord>();
  for (const m of prior?.messages ?? []) candidates.set(m.id, m);
  for (const m of pending) candidates.set(m.id, m);
  const messages =
    rollbacks > MAX_READD_ROLLBACKS ? [] : resubmittable([...candidates.values()], me, canWrite, model);
  return { messages, rollbacks };
}

/**
 * Write the kept messages into the rebuilt document, in one transaction; those the server already
 * has are not written twice, nor those it would refuse (archived, older than the last purge). Returns what to store next (nothing left, the count kept).
 */
export function applyReadd(doc: Y.Doc, readd: Readd, model = Message): Readd {
  const messages = messagesMap(doc);
  // Nothing goes into an archived discussion, and nothing older than the last retention purge:
  // the server would refuse it again (rules `archived`, `expired_message`).
  if (archivedAt(doc) !== null) return { messages: [], rollbacks: readd.rollbacks };
  const cutoff = purgedBefore(doc) ?? -Infinity;
  doc.transact(() => {
    for (const m of readd.messages) {
      if (!messages.has(m.id) && model.isRecord(m) && m.ts >= cutoff) messages.set(m.id, model.copy(m));
    }
  });
  return { messages: [], rollbacks: readd.rollbacks };
}

// --- kept aside in localStorage (palabre:<user>:readd:<id>), so a reload in between loses nothing

/** My messages kept aside for this discussion and not written back yet. */
export function waitingToReadd(user: string, id: string): number {
  return readJson<Readd>(keys.readd(user, id))?.messages.length ?? 0;
}

/** The server refused an update: keep my still-valid pending messages aside. */
export function keepForReadd(
  user: string,
  id: string,
  pending: readonly MessageRecord[],
  canWrite: boolean,
): void {
  const key = keys.readd(user, id);
  writeJson(key, planReadd(readJson<Readd>(key), pending, user, canWrite));
}

/** The rebuilt document holds the server's state: write the kept messages back into it. */
export function readdInto(doc: Y.Doc, user: string, id: string): void {
  const key = keys.readd(user, id);
  const readd = readJson<Readd>(key);
  if (readd && readd.messages.length > 0) writeJson(key, applyReadd(doc, readd));
}

/** Everything re-added was accepted: the next refusal starts afresh (its count back to zero). */
export function readdSettled(user: string, id: string): void {
  const key = keys.readd(user, id);
  if (readJson<Readd>(key)) removeKey(key);
}
