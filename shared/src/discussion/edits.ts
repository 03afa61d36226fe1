/**
 * Editing and deleting messages. Both overwrite the message's map entry, so Yjs deletes the old
 * item and, with garbage collection on, drops its content at once: the old text is no longer in
 * the document, only in update logs, which every store compacts after such a change
 * (`removesText`). A deleted message stays as a tombstone (id, author, ts, who deleted it, when)
 * so every replica shows « Message supprimé » in its place; it is never counted as unread.
 */
import * as Y from 'yjs';
import { messagesMap, pinsMap } from './schema.js';
import { Message, isMessageRecord, textProblem, type MessageRecord } from './record.js';
import { MessageTooLongError, normalizeText } from './messages.js';
import { parseMentions } from './mentions.js';

export function isDeleted(record: MessageRecord): boolean {
  return record.deletedAt !== undefined;
}

/** Change the text of my message. Returns the new record, or null when nothing changed. */
export function editMessage(
  doc: Y.Doc,
  input: { id: string; author: string; text: string; now: number },
): MessageRecord | null {
  const existing = messagesMap(doc).get(input.id);
  if (!isMessageRecord(existing) || existing.author !== input.author || isDeleted(existing)) return null;
  const text = normalizeText(input.text);
  const problem = textProblem(text);
  if (problem === 'empty') throw new Error('A message cannot be empty');
  if (problem === 'too_long') throw new MessageTooLongError();
  if (text === existing.text) return null;
  const mentioned = parseMentions(text);
  const { mentions: _old, editedAt: _at, ...rest } = Message.copy(existing);
  const record = Message.copy({
    ...rest,
    text,
    ...(mentioned.length > 0 ? { mentions: mentioned } : {}),
    editedAt: Math.floor(input.now),
  });
  messagesMap(doc).set(input.id, record);
  return record;
}

/** Replace a message by its tombstone and unpin it. The caller checks the right to do so. */
export function deleteMessage(doc: Y.Doc, input: { id: string; by: string; now: number }): boolean {
  const existing = messagesMap(doc).get(input.id);
  if (!isMessageRecord(existing) || isDeleted(existing)) return false;
  doc.transact(() => {
    messagesMap(doc).set(
      input.id,
      Message.copy({
        id: existing.id,
        author: existing.author,
        text: '',
        ts: existing.ts,
        deletedAt: Math.floor(input.now),
        deletedBy: input.by,
      }),
    );
    if (pinsMap(doc).has(input.id)) pinsMap(doc).delete(input.id);
  });
  return true;
}

/**
 * Did this change of the messages map take text out of the document (an edit or a delete)?
 * Then the stores that keep update logs compact them, so the old text leaves the disk too.
 */
export function removesText<T>(event: Y.YMapEvent<T>): boolean {
  for (const change of event.changes.keys.values()) {
    if (change.action === 'delete' || change.action === 'update') return true;
  }
  return false;
}
