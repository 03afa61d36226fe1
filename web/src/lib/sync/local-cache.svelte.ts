/**
 * The per-discussion facts the sidebar and the status need (unread count, last message, pending
 * messages, version last synced), kept in localStorage so the sidebar renders at start without
 * opening a single Y.Doc. Open documents write here as they change; other tabs of the same user
 * see the writes through the `storage` event. Also: the time of the last exchange with the server.
 */
import { SvelteMap } from 'svelte/reactivity';
import { keys, keysWithPrefix, readJson, removeKey, writeJson, type DocInfo } from './storage.js';

const EMPTY: DocInfo = { v: 0, unread: 0, pending: 0, last: null };

function sameInfo(a: DocInfo, b: DocInfo): boolean {
  return (
    a.v === b.v &&
    a.unread === b.unread &&
    (a.mentions ?? 0) === (b.mentions ?? 0) &&
    a.pending === b.pending &&
    a.last?.ts === b.last?.ts &&
    a.last?.text === b.last?.text &&
    a.last?.author === b.last?.author
  );
}

class LocalCache {
  readonly infos = new SvelteMap<string, DocInfo>();
  /** When this browser last exchanged data with the server (ms), null if never. */
  syncedAt = $state<number | null>(null);
  #user: string | null = null;
  #listening = false;

  get user(): string | null {
    return this.#user;
  }

  /** Load what is cached for this user (synchronous: a few dozen small keys). */
  open(user: string): void {
    if (this.#user === user) return;
    this.close();
    this.#user = user;
    const prefix = `${keys.prefix(user)}doc:`;
    for (const key of keysWithPrefix(prefix)) {
      const info = readJson<DocInfo>(key);
      if (info) this.infos.set(key.slice(prefix.length), { ...EMPTY, ...info });
    }
    this.syncedAt = readJson<number>(keys.syncedAt(user));
    if (!this.#listening && typeof window !== 'undefined') {
      window.addEventListener('storage', this.#onStorage);
      this.#listening = true;
    }
  }

  close(): void {
    this.#user = null;
    this.infos.clear();
    this.syncedAt = null;
  }

  get(id: string): DocInfo {
    return this.infos.get(id) ?? EMPTY;
  }

  /**
   * Record new facts about a discussion. The version only grows (two tabs may write the same
   * record: the one that synced further wins).
   */
  update(id: string, patch: Partial<DocInfo>): void {
    const user = this.#user;
    if (!user) return;
    const key = keys.docInfo(user, id);
    const stored = readJson<DocInfo>(key);
    const current = { ...EMPTY, ...(stored ?? this.infos.get(id)) };
    const next: DocInfo = { ...current, ...patch, v: Math.max(current.v, patch.v ?? 0) };
    if (stored && sameInfo(current, next)) {
      if (!sameInfo(this.get(id), next)) this.infos.set(id, next);
      return;
    }
    writeJson(key, next);
    this.infos.set(id, next);
  }

  forget(id: string): void {
    if (this.#user) removeKey(keys.docInfo(this.#user, id));
    this.infos.delete(id);
  }

  /** A successful exchange with the server just happened. */
  touch(now = Date.now()): void {
    if (!this.#user) return;
    // Stored at most once every few seconds: acks can arrive in bursts.
    if (this.syncedAt !== null && now - this.syncedAt < 5_000 && now >= this.syncedAt) return;
    this.syncedAt = now;
    writeJson(keys.syncedAt(this.#user), now);
  }

  #onStorage = (event: StorageEvent): void => {
    const user = this.#user;
    if (!user || event.storageArea !== localStorage) return;
    if (event.key === null) return;
    const prefix = `${keys.prefix(user)}doc:`;
    if (event.key.startsWith(prefix)) {
      const id = event.key.slice(prefix.length);
      const info = event.newValue ? readJson<DocInfo>(event.key) : null;
      if (info) this.infos.set(id, { ...EMPTY, ...info });
      else this.infos.delete(id);
    } else if (event.key === keys.syncedAt(user)) {
      this.syncedAt = readJson<number>(event.key);
    }
  };
}

export const localCache = new LocalCache();
