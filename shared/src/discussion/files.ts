/** The files of a message and of a whole discussion (the « Fichiers » panel). */
import type * as Y from 'yjs';
import { isFileList, type FileRef } from './file-ref.js';
import { isMessageRecord, type MessageRecord } from './record.js';
import { messagesMap } from './schema.js';

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
