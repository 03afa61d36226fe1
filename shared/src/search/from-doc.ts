/**
 * Reading a discussion document for the search index: its messages as the index takes them,
 * its pins, and the state it was read at. Deleted messages (absent, or marked deleted) and the
 * text an edit replaced are simply not there: the index only ever holds what the document
 * shows now.
 */
import * as Y from 'yjs';
import { isMessageRecord, messagesMap, pinsMap } from '../discussion/index.js';
import type { Coverage, SearchMessage } from './discussion-index.js';

/** File metadata, from the message record itself or from a `files` root map (id -> metadata). */
function fileNames(doc: Y.Doc, files: unknown): { ids: string[]; names: string[] } {
  const ids: string[] = [];
  const names: string[] = [];
  if (!Array.isArray(files)) return { ids, names };
  const map = doc.share.has('files') ? doc.getMap<unknown>('files') : null;
  for (const f of files) {
    const meta = (typeof f === 'string' ? map?.get(f) : f) as { id?: unknown; name?: unknown } | undefined;
    const id = typeof f === 'string' ? f : typeof meta?.id === 'string' ? meta.id : null;
    if (id === null) continue;
    ids.push(id);
    if (typeof meta?.name === 'string') names.push(meta.name);
  }
  return { ids, names };
}

/** One message as the index takes it, or null when it is not (or no longer) a visible message. */
export function searchMessage(doc: Y.Doc, value: unknown): SearchMessage | null {
  if (!isMessageRecord(value)) return null;
  const record = value as typeof value & {
    deleted?: unknown;
    deletedAt?: unknown;
    editedAt?: unknown;
    files?: unknown;
  };
  if (record.deleted || typeof record.deletedAt === 'number') return null;
  const { ids, names } = fileNames(doc, record.files);
  return {
    id: record.id,
    author: record.author,
    text: record.text,
    ts: record.ts,
    editedAt: typeof record.editedAt === 'number' ? record.editedAt : undefined,
    files: ids,
    fileNames: names,
  };
}

/** Every visible message of a document. */
export function searchMessages(doc: Y.Doc): SearchMessage[] {
  const out: SearchMessage[] = [];
  for (const value of messagesMap(doc).values()) {
    const m = searchMessage(doc, value);
    if (m) out.push(m);
  }
  return out;
}

/** The current version of some messages: those still visible, and the ids now gone. */
export function searchChanges(
  doc: Y.Doc,
  ids: Iterable<string>,
): { upserts: SearchMessage[]; deletes: string[] } {
  const upserts: SearchMessage[] = [];
  const deletes: string[] = [];
  const messages = messagesMap(doc);
  for (const id of ids) {
    const m = searchMessage(doc, messages.get(id));
    if (m) upserts.push(m);
    else deletes.push(id);
  }
  return { upserts, deletes };
}

export function pinnedIds(doc: Y.Doc): string[] {
  return [...pinsMap(doc).keys()];
}

/**
 * The document state the entries are read from (`v`: the server version it contains). Base64 by
 * hand: lib0's picks Node's Buffer in a Web Worker (it only recognises a window as a browser).
 */
export function coverageOf(doc: Y.Doc, v: number): Coverage {
  let binary = '';
  for (const byte of Y.encodeStateVector(doc)) binary += String.fromCharCode(byte);
  return { sv: btoa(binary), v };
}

function decodeSv(sv: string): Map<number, number> {
  const bytes = Uint8Array.from(atob(sv), (c) => c.charCodeAt(0));
  return Y.decodeStateVector(bytes);
}

/**
 * Whether a document state `a` holds everything `b` does (every client's clock at least as far).
 * The worker reads a discussion's stored copy only if it holds all the index already took in
 * from an open tab: a copy written a moment behind that tab must not take messages back out.
 */
export function coverageIncludes(a: Coverage, b: Coverage): boolean {
  if (a.sv === b.sv) return true;
  const have = decodeSv(a.sv);
  for (const [client, clock] of decodeSv(b.sv)) if ((have.get(client) ?? 0) < clock) return false;
  return true;
}
