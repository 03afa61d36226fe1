/**
 * What the browser keeps between visits, per user, so Palabre starts from local data before the
 * network answers (and without it). Small JSON values live in localStorage, under keys that all
 * start with `palabre:<userId>:` so signing out can remove exactly one user's data; discussion
 * documents live in IndexedDB, one database per discussion (`palabre:<userId>:<discussionId>`).
 *
 *   palabre:session                      { user, clockOffset }  who was signed in last
 *   palabre:<user>:summaries             DiscussionSummary[]    the sidebar, as the server last said
 *   palabre:<user>:users                 PublicUser[]           the directory (names, avatars)
 *   palabre:<user>:doc:<id>              DocInfo                what the local document says (below)
 *   palabre:<user>:acked:<id>            ReadCursor             union of the server's acknowledgements
 *   palabre:<user>:readd:<id>            Readd                  own messages to re-add after a rollback
 *   palabre:<user>:last-open             discussion id          reopened by /
 *   palabre:<user>:tail:<id>             DisplayMessage[]       the last messages shown, painted before the document loads
 *   palabre:<user>:synced-at             ms                     the last exchange with the server
 *
 * and one IndexedDB database for search, `palabre:<user>:search` (see $lib/search/idb.ts): the
 * index of every discussion, one record per discussion plus the MiniSearch snapshot.
 *
 * Every function swallows storage errors (blocked storage, quota): the cache only saves time.
 */
import type { MessageRecord, ReadCursor } from '@palabre/shared/discussion/index';
import { deleteSearchUnit, searchDatabase } from '../search/idb.js';

export const SESSION_KEY = 'palabre:session';

/** What the sidebar needs about a discussion, computed from its local document. */
export interface DocInfo {
  /** The discussion's server version last fully synced into the local document (0: never). */
  v: number;
  /** Messages by others not covered by my read cursor. */
  unread: number;
  /** Of those, the ones mentioning me (by name or « @tous »). */
  mentions?: number;
  /** My messages the server has not acknowledged yet (plus those waiting to be re-added). */
  pending: number;
  /** The last message in display order (text already shortened for the preview). */
  last: { author: string; text: string; ts: number } | null;
}

/** Own messages taken out of a document the server refused, to write again once rebuilt. */
export interface Readd {
  messages: MessageRecord[];
  /** Rollbacks in a row for this discussion: after two, give up re-adding (no endless loop). */
  rollbacks: number;
}

export const keys = {
  prefix: (user: string) => `palabre:${user}:`,
  summaries: (user: string) => `palabre:${user}:summaries`,
  users: (user: string) => `palabre:${user}:users`,
  docInfo: (user: string, id: string) => `palabre:${user}:doc:${id}`,
  acked: (user: string, id: string) => `palabre:${user}:acked:${id}`,
  readd: (user: string, id: string) => `palabre:${user}:readd:${id}`,
  lastOpen: (user: string) => `palabre:${user}:last-open`,
  tail: (user: string, id: string) => `palabre:${user}:tail:${id}`,
  syncedAt: (user: string) => `palabre:${user}:synced-at`,
  /** The search index's IndexedDB database. */
  search: searchDatabase,
  /** The IndexedDB database (and BroadcastChannel) name of one discussion's document. */
  database: (user: string, id: string) => `palabre:${user}:${id}`,
};

/** Discussions forgotten in this page (database names): nothing of them is written again. */
const forgotten = new Set<string>();

export function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function writeJson(key: string, value: unknown): void {
  if (forgotten.size > 0 && ofForgotten(key)) return;
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Quota or blocked storage: the value is recomputed next time.
  }
}

export function removeKey(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing to do.
  }
}

/** Every localStorage key starting with prefix. */
export function keysWithPrefix(prefix: string): string[] {
  const out: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) out.push(key);
    }
  } catch {
    // Blocked storage: nothing cached.
  }
  return out;
}

/** Merge a cursor into the stored acknowledged vector of a discussion (read, merge by max, write). */
export function storeAcked(user: string, id: string, acked: ReadCursor): ReadCursor {
  const key = keys.acked(user, id);
  const stored = readJson<ReadCursor>(key) ?? {};
  let changed = false;
  const merged: ReadCursor = { ...stored };
  for (const [client, clock] of Object.entries(acked)) {
    if ((merged[client] ?? 0) < clock) {
      merged[client] = clock;
      changed = true;
    }
  }
  if (changed) writeJson(key, merged);
  return merged;
}

/** Delete one discussion's IndexedDB database (resolves even if blocked or unsupported). */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = () => resolve();
      // Blocked: another connection is still open; the deletion completes when it closes.
      request.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
}

/** Is key one of a forgotten discussion's (`palabre:<user>:<kind>:<id>`)? */
function ofForgotten(key: string): boolean {
  for (const name of forgotten) {
    const cut = name.lastIndexOf(':');
    if (key.startsWith(name.slice(0, cut + 1)) && key.endsWith(name.slice(cut))) return true;
  }
  return false;
}

/** False once the discussion was forgotten here (a late write, a debounced tail, must not bring it back). */
export function mayKeep(user: string, id: string): boolean {
  return !forgotten.has(keys.database(user, id));
}

/** A member again (added back): its local copy may be kept again. */
export function mayKeepAgain(user: string, id: string): void {
  forgotten.delete(keys.database(user, id));
}

/**
 * A discussion's search entries. The search worker also drops them from memory and rewrites its
 * snapshot (searchClient.forget); this removes the stored record even when no worker runs, and a
 * snapshot still holding the discussion is cleaned when the worker next loads it.
 */
export async function forgetSearchUnit(user: string, id: string): Promise<void> {
  try {
    await deleteSearchUnit(user, id);
  } catch {
    // No IndexedDB: nothing was stored.
  }
}

/**
 * Everything one discussion left in this browser: every localStorage key of it (whatever it
 * holds: info, acknowledgements, re-adds, painted tail, ...) and its IndexedDB document.
 */
export async function forgetDiscussion(user: string, id: string): Promise<void> {
  forgotten.add(keys.database(user, id));
  for (const key of keysWithPrefix(keys.prefix(user))) if (key.endsWith(`:${id}`)) removeKey(key);
  if (readJson<string>(keys.lastOpen(user)) === id) removeKey(keys.lastOpen(user));
  await Promise.all([deleteDatabase(keys.database(user, id)), forgetSearchUnit(user, id)]);
}

/** Sign-out: every trace of this user (localStorage keys and IndexedDB databases, search included). */
export async function forgetUser(user: string, knownIds: Iterable<string>): Promise<void> {
  const prefix = keys.prefix(user);
  for (const key of keysWithPrefix(prefix)) removeKey(key);
  const names = new Set<string>([...knownIds].map((id) => keys.database(user, id)));
  names.add(keys.search(user));
  try {
    // Chromium, Firefox 126+, Safari: also finds documents of discussions no longer listed.
    const databases = await indexedDB.databases?.();
    for (const db of databases ?? []) if (db.name?.startsWith(prefix)) names.add(db.name);
  } catch {
    // Not supported: the known ids are enough.
  }
  await Promise.all([...names].map(deleteDatabase));
}
