/**
 * Messages: adding, listing and ordering.
 *
 * Order rule (identical on every replica): ascending `ts`, then author id, then message id.
 * `ts` is a hybrid logical clock: max(now, greatest ts in the document + 1) at the moment of
 * writing. A reply therefore always sorts after every message its author had seen, whatever
 * the author's clock says; messages written concurrently (for example offline) interleave by
 * their wall-clock time. The tie-breakers make the order total and deterministic.
 */
import * as Y from 'yjs';
import { newId } from '../ids.js';
import type { FileRef } from './file-ref.js';
import { parseMentions } from './mentions.js';
import { messagesMap } from './schema.js';
import { MAX_MESSAGE_LENGTH, Message, isMessageRecord, textProblem, type MessageRecord } from './record.js';

export function compareMessages(a: MessageRecord, b: MessageRecord): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.author !== b.author) return a.author < b.author ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Greatest `ts` in the document, or 0 for an empty one. */
export function latestTs(doc: Y.Doc): number {
  let max = 0;
  for (const m of messagesMap(doc).values()) if (isMessageRecord(m) && m.ts > max) max = m.ts;
  return max;
}

/** The hybrid logical clock value for a message written now in this document. */
export function nextTs(doc: Y.Doc, now: number): number {
  return Math.max(Math.floor(now), latestTs(doc) + 1);
}

export class MessageTooLongError extends Error {
  constructor() {
    super(`A message is limited to ${MAX_MESSAGE_LENGTH} characters`);
  }
}

export interface AddMessageInput {
  author: string;
  text: string;
  now: number;
  id?: string;
  /** Files already uploaded to this discussion (see file-ref.ts); the text may then be empty. */
  files?: FileRef[];
  /**
   * The clock value taken when the user wrote it, for a message written into the document later
   * (a file message waits in the outbox for its upload): it keeps its place among the messages
   * its author wrote meanwhile. Defaults to nextTs(doc, now).
   */
  ts?: number;
}

/** A message's text as stored: without surrounding blank lines or trailing spaces. */
export function normalizeText(text: string): string {
  return text.replace(/^\s*\n|\n\s*$/g, '').trimEnd();
}

/** Append a message; the text is trimmed of surrounding blank lines. Returns the stored record. */
export function addMessage(doc: Y.Doc, input: AddMessageInput): MessageRecord {
  const text = normalizeText(input.text);
  const problem = textProblem(text);
  const files = input.files ?? [];
  if (problem === 'empty' && files.length === 0) throw new Error('A message cannot be empty');
  if (problem === 'too_long') throw new MessageTooLongError();
  const mentioned = parseMentions(text);
  const record = Message.copy({
    id: input.id ?? newId(),
    author: input.author,
    text,
    ts: input.ts ?? nextTs(doc, input.now),
    ...(files.length > 0
      ? { files: files.map((f) => ({ id: f.id, name: f.name, type: f.type, size: f.size })) }
      : {}),
    ...(mentioned.length > 0 ? { mentions: mentioned } : {}),
  });
  messagesMap(doc).set(record.id, record);
  return record;
}

/** Every message in display order. */
export function listMessages(doc: Y.Doc): MessageRecord[] {
  const out: MessageRecord[] = [];
  for (const m of messagesMap(doc).values()) if (isMessageRecord(m)) out.push(m);
  return out.sort(compareMessages);
}

/** The last message in display order that is not deleted, or null. Linear, without sorting everything. */
export function lastMessage(doc: Y.Doc): MessageRecord | null {
  let last: MessageRecord | null = null;
  for (const m of messagesMap(doc).values()) {
    if (!isMessageRecord(m) || m.deletedAt !== undefined) continue;
    if (last === null || compareMessages(m, last) > 0) last = m;
  }
  return last;
}
