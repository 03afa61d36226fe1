/** The files of a message and of a whole discussion (the « Fichiers » panel). */
import type * as Y from 'yjs';
import { isFileList, type FileRef } from './file-ref.js';
import { isMessageRecord, type MessageRecord } from './record.js';
import { messagesMap } from './schema.js';
import { preview } from '../text.js';

/** The files of a message (none for a message without a valid `files` field). */
export function filesOf(message: unknown): FileRef[] {
  const files = (message as { files?: unknown } | null)?.files;
  return isFileList(files) ? files : [];
}

export interface DiscussionFile extends FileRef {
  messageId: string;
  author: string;
  ts: number;
}

/** Every file of the discussion, newest message first (the « Fichiers » panel). */
export function listFiles(doc: Y.Doc): DiscussionFile[] {
  const out: DiscussionFile[] = [];
  for (const m of messagesMap(doc).values() as IterableIterator<MessageRecord>) {
    if (!isMessageRecord(m)) continue;
    for (const f of filesOf(m)) out.push({ ...f, messageId: m.id, author: m.author, ts: m.ts });
  }
  return out.sort((a, b) => b.ts - a.ts || (a.messageId < b.messageId ? -1 : 1));
}

/**
 * A one-line preview of a message for the sidebar: its text, or for a message with files and no
 * text, « 📎 » and the first file's name (and « +N » for the others).
 */
export function messagePreview(message: { text: string; files?: unknown }, max = 120): string {
  const text = preview(message.text, max);
  if (text !== '') return text;
  const files = filesOf(message);
  if (files.length === 0) return '';
  return preview(`📎 ${files[0].name}${files.length > 1 ? ` +${files.length - 1}` : ''}`, max);
}
