/**
 * Retention, the pure part: which messages and files a purge with a cut-off removes from one
 * discussion (`planPurge`), and removing them (`applyPurge`). The preview and the run call the
 * same plan, so what the preview counts is what the run deletes.
 *
 * - A message (or a deleted message's placeholder) is purged when its `ts` is before the cut-off,
 *   unless it is pinned and pinned messages are kept. Only real messages are counted.
 * - Its map entry is deleted (no tombstone: nothing of it stays) with its pin; `meta.purgedBefore`
 *   records the cut-off, so the rule `expired_message` refuses it from an old copy.
 * - A file is purged when a purged message referred to it and no kept message does, or when it
 *   was uploaded before the cut-off and no message refers to it (an upload never sent).
 */
import type * as Y from 'yjs';
import type { RetentionPolicy } from '../api-types.js';
import { filesOf } from './files.js';
import { setPurgedBefore } from './meta.js';
import { isMessageRecord, type MessageRecord } from './record.js';
import { messagesMap, pinsMap } from './schema.js';

export const DAY_MS = 86_400_000;

export interface PurgePlan {
  /** Map keys to delete (messages and placeholders of deleted messages). */
  messageIds: string[];
  /** How many of them are messages (not placeholders). */
  messages: number;
  /** Files of the discussion to remove (rows and, when nothing else shares them, bytes). */
  fileIds: string[];
}

/** The period that applies to a discussion: its override, else the organisation's (null: keep). */
export function effectiveDays(policy: RetentionPolicy, override: number | null): number | null {
  return override ?? policy.days;
}

/** Messages strictly older than this are purged. */
export function cutoffOf(days: number, now: number): number {
  return now - days * DAY_MS;
}

export function planPurge(
  doc: Y.Doc,
  options: { cutoff: number; keepPinned: boolean; files: readonly { id: string; createdAt: number }[] },
): PurgePlan {
  const pins = pinsMap(doc);
  const messageIds: string[] = [];
  let messages = 0;
  const dropped = new Set<string>();
  const kept = new Set<string>();
  for (const [key, value] of messagesMap(doc).entries()) {
    const record = value as unknown as MessageRecord | null;
    const ts = typeof record?.ts === 'number' ? record.ts : Infinity;
    const purge = ts < options.cutoff && !(options.keepPinned && pins.has(key));
    for (const f of filesOf(record)) (purge ? dropped : kept).add(f.id);
    if (!purge) continue;
    messageIds.push(key);
    if (isMessageRecord(record) && record.deletedAt === undefined) messages++;
  }
  const fileIds: string[] = [];
  for (const f of options.files) {
    if (kept.has(f.id)) continue;
    if (dropped.has(f.id) || f.createdAt < options.cutoff) fileIds.push(f.id);
  }
  return { messageIds, messages, fileIds };
}

/** Delete the planned messages and their pins, and record the cut-off. Call inside a transaction. */
export function applyPurge(doc: Y.Doc, plan: PurgePlan, cutoff: number): void {
  const messages = messagesMap(doc);
  const pins = pinsMap(doc);
  for (const id of plan.messageIds) {
    messages.delete(id);
    if (pins.has(id)) pins.delete(id);
  }
  if (plan.messageIds.length > 0) setPurgedBefore(doc, cutoff);
}
