/**
 * The file outbox: messages with files wait here (the browser keeps them in IndexedDB, bytes
 * included) until every file is uploaded, and only then is the message written to the document.
 * The server refuses a reference to a file that was not uploaded to the discussion
 * (`foreign_file`), so the order is fixed: upload, get the file's id, write the message.
 *
 * A queued message takes its clock value (`ts`) when the user sends it, not when it is written,
 * so it keeps its place among the messages its author wrote meanwhile (text messages go to the
 * document at once): written later, it still sorts where it was sent, exactly like a message
 * written offline that arrives late. Pure: the browser's uploader asks these functions what to
 * do next.
 */
import type { FileRef } from '../discussion/file-ref.js';
import { MAX_FILES_PER_MESSAGE } from '../discussion/file-ref.js';

/** A file waiting in the outbox: what the user picked, and the server's answer once uploaded. */
export interface OutboxFile {
  /** Local key, unique in the outbox. */
  key: string;
  name: string;
  type: string;
  size: number;
  /** `{ id, name, type, size }` as `POST /api/discussions/:id/files` answered. */
  uploaded?: FileRef;
}

/** A message waiting for its files. */
export interface OutboxEntry<F extends OutboxFile = OutboxFile> {
  /** The message id it will be written with (exactly once: a document holds one message per id). */
  messageId: string;
  discussionId: string;
  author: string;
  /** The stored text (mentions already encoded), possibly empty. */
  text: string;
  /** The clock value taken when sent (see above). */
  ts: number;
  files: F[];
  /** Why it cannot leave (the server refused a file): it waits for the user to remove it. */
  failed?: string;
}

/** Oldest first: the order of sending, across discussions. */
export function outboxOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.ts - b.ts || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}

/**
 * The clock value of a message sent now: past the document's latest message and past every
 * message of this discussion still in the outbox (so a text sent after a file sorts after it).
 */
export function reserveTs(
  docLatestTs: number,
  queued: readonly Pick<OutboxEntry, 'discussionId' | 'ts'>[],
  discussionId: string,
  now: number,
): number {
  let latest = docLatestTs;
  for (const entry of queued) if (entry.discussionId === discussionId && entry.ts > latest) latest = entry.ts;
  return Math.max(Math.floor(now), latest + 1);
}

/** The next file to upload: the first one not uploaded of the oldest entry that can still leave. */
export function nextUpload<F extends OutboxFile>(
  entries: readonly OutboxEntry<F>[],
): { entry: OutboxEntry<F>; file: F } | null {
  for (const entry of [...entries].sort(outboxOrder)) {
    if (entry.failed !== undefined) continue;
    const file = entry.files.find((f) => f.uploaded === undefined);
    if (file) return { entry, file };
  }
  return null;
}

/** Entries whose every file is uploaded, oldest first: their messages may now be written. */
export function readyToWrite<F extends OutboxFile>(entries: readonly OutboxEntry<F>[]): OutboxEntry<F>[] {
  return entries
    .filter((e) => e.failed === undefined && e.files.length > 0 && e.files.every((f) => f.uploaded))
    .sort(outboxOrder);
}

/** The references the message carries, in the order the files were attached. Throws if one is missing. */
export function refsOf(entry: OutboxEntry): FileRef[] {
  return entry.files.map((f) => {
    if (!f.uploaded) throw new Error(`The file ${f.name} is not uploaded yet`);
    const { id, name, type, size } = f.uploaded;
    return { id, name, type, size };
  });
}

/** Record an upload's answer in an entry (a new object: entries are treated as values). */
export function withUploaded<F extends OutboxFile>(
  entry: OutboxEntry<F>,
  key: string,
  ref: FileRef,
): OutboxEntry<F> {
  return { ...entry, files: entry.files.map((f) => (f.key === key ? { ...f, uploaded: ref } : f)) };
}

/** Why these files cannot be attached before anything is uploaded, or null. */
export function attachProblem(
  files: readonly { name: string; size: number }[],
  maxBytes: number,
): { kind: 'too_large'; name: string } | { kind: 'too_many' } | null {
  if (files.length > MAX_FILES_PER_MESSAGE) return { kind: 'too_many' };
  const big = files.find((f) => f.size > maxBytes);
  return big ? { kind: 'too_large', name: big.name } : null;
}
