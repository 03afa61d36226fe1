/**
 * The signed-in user, the server clock offset, and sign-in / sign-out.
 *
 * The user is cached in localStorage, so Palabre starts at once (and with no network) for the
 * person who was signed in: the cached user is used right away and /api/me confirms in the
 * background. A 401 ends the session; a network failure does not (offline is not signed out).
 */
import type { PublicUser } from '@palabre/shared';
import { DEFAULT_MAX_FILE_BYTES } from '@palabre/shared/discussion/file-ref';
import { CloseCode } from '@palabre/shared/close-codes';
import { goto } from '$app/navigation';
import { api, ApiError, onUnauthenticated } from '$lib/api.js';
import { t } from '$lib/i18n/index.svelte.js';
import { localCache } from '$lib/sync/local-cache.svelte.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { searchClient } from '$lib/search/client.svelte.js';
import { SESSION_KEY, forgetUser, keys, readJson, removeKey, writeJson } from '$lib/sync/storage.js';
import { toasts } from './toasts.svelte.js';

interface CachedSession {
  user: PublicUser;
  clockOffset: number;
  /** MAX_FILE_BYTES as /api/me last said (older caches lack it). */
  maxFileBytes?: number;
}

function cachedSession(): CachedSession | null {
  const cached = readJson<CachedSession>(SESSION_KEY);
  return cached && typeof cached.user?.id === 'string' ? cached : null;
}

type SignOutHandler = (userId: string, clearData: boolean) => void;

class SessionState {
  user = $state<PublicUser | null>(null);
  /**
   * serverTime - local time, measured at the last /api/me (half the round trip accounted for).
   * Message timestamps use the server's clock so a device with a wrong clock cannot send
   * messages into the past or the future of the discussion.
   */
  clockOffset = 0;
  /** The largest file the server accepts (MAX_FILE_BYTES, from /api/me): larger ones are refused here. */
  maxFileBytes = $state(DEFAULT_MAX_FILE_BYTES);
  /** The server confirmed the session during this page's life. */
  confirmed = $state(false);
  #probe: Promise<PublicUser | null> | null = null;
  /** The last probe answered 401: nobody is signed in, no need to ask again (and log a 401). */
  #anonymous = false;
  #signOutHandlers = new Set<SignOutHandler>();

  constructor() {
    if (typeof window === 'undefined') return;
    // Signed out in another tab: this one follows.
    window.addEventListener('storage', (event) => {
      if (event.key !== SESSION_KEY || event.storageArea !== localStorage) return;
      const cached = cachedSession();
      if (this.user && (!cached || cached.user.id !== this.user.id)) {
        this.#end(false);
        void goto('/login', { replaceState: true });
      }
    });
  }

  /**
   * The signed-in user: the cached one at once when there is one (confirmed in the background),
   * else asked of the server; null when nobody is signed in.
   */
  load(): Promise<PublicUser | null> {
    if (this.user) return Promise.resolve(this.user);
    if (this.#anonymous) return Promise.resolve(null);
    const cached = cachedSession();
    if (cached) {
      this.user = cached.user;
      this.clockOffset = cached.clockOffset;
      this.maxFileBytes = cached.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
      void this.refresh();
      return Promise.resolve(cached.user);
    }
    this.#probe ??= this.#fetchMe().finally(() => (this.#probe = null));
    return this.#probe;
  }

  /**
   * Ask the server who we are (and measure the clock). A 401 ends the session; a network
   * failure keeps the cached user, signed in offline.
   */
  async refresh(): Promise<void> {
    try {
      const user = await (this.#probe ??= this.#fetchMe().finally(() => (this.#probe = null)));
      if (!user) this.expire();
    } catch {
      // Offline or server down: stay signed in with what we know.
    }
  }

  async login(username: string, password: string): Promise<PublicUser> {
    const { user } = await api.login(username, password);
    const previous = cachedSession();
    // Someone else was signed in on this browser: their data stays theirs, closed.
    if (previous && previous.user.id !== user.id) docs.closeAll();
    this.user = user;
    this.#anonymous = false;
    this.#save();
    // Measure the clock offset now; a failure here only leaves the offset at 0.
    await this.#fetchMe().catch(() => undefined);
    return user;
  }

  /** Sign out: tell the server (if it can hear), then remove every local trace of this user. */
  async logout(): Promise<void> {
    // Taken now: the server closes this session's sockets (4401) as it logs out, which ends the
    // session here (expire) before api.logout() returns; the data must still be removed.
    const userId = this.user?.id ?? null;
    try {
      await api.logout();
    } catch {
      // Signing out locally matters more than telling the server; its cookie expires anyway.
    }
    await this.#end(true, userId);
    await goto('/login', { replaceState: true });
  }

  /** The server said our session is gone (a 401 from the API or a 4401 close). */
  expire(): void {
    if (!this.user) return;
    // Local data stays: signing in again delivers the messages still waiting.
    void this.#end(false);
    toasts.push(t('errors.unauthenticated'), 'info');
    void goto(`/login?next=${encodeURIComponent(location.pathname)}`, { replaceState: true });
  }

  /**
   * Whether asking /api/me is worth it on the login page: false for a browser that signed out
   * or never signed in, so visiting /login does not log a 401 in the console.
   */
  get probablySignedIn(): boolean {
    return this.user !== null || cachedSession() !== null;
  }

  /** Now on the server's clock, in milliseconds. */
  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** The server's clock, as a `hello` event tells it (no round trip to account for). */
  syncClock(serverTime: number): void {
    this.clockOffset = serverTime - Date.now();
    this.#save();
  }

  /**
   * Run handler when the user signs out (clearData: remove their local data) or the session
   * expires (keep it).
   */
  onSignOut(handler: SignOutHandler): () => void {
    this.#signOutHandlers.add(handler);
    return () => this.#signOutHandlers.delete(handler);
  }

  #save(): void {
    if (this.user)
      writeJson(SESSION_KEY, {
        user: this.user,
        clockOffset: this.clockOffset,
        maxFileBytes: this.maxFileBytes,
      } satisfies CachedSession);
  }

  async #fetchMe(): Promise<PublicUser | null> {
    const sentAt = Date.now();
    try {
      const me = await api.me({ quiet401: true });
      if (this.user && this.user.id !== me.user.id) {
        // The cookie belongs to someone else now (signed in elsewhere in this browser): start
        // over as them, from their own local data.
        writeJson(SESSION_KEY, { user: me.user, clockOffset: 0 });
        location.reload();
        return null;
      }
      this.clockOffset = me.serverTime - (sentAt + Date.now()) / 2;
      this.maxFileBytes = me.maxFileBytes;
      this.user = me.user;
      this.confirmed = true;
      this.#anonymous = false;
      this.#save();
      return me.user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#anonymous = true;
        removeKey(SESSION_KEY);
        return null;
      }
      throw error;
    }
  }

  async #end(clearData: boolean, userId: string | null = this.user?.id ?? null): Promise<void> {
    // Documents and the search worker first: nothing may write to a database about to be deleted.
    docs.closeAll();
    const searchStopped = searchClient.stop();
    if (userId) for (const handler of this.#signOutHandlers) handler(userId, clearData);
    localCache.close();
    this.user = null;
    this.confirmed = false;
    this.#anonymous = true;
    removeKey(SESSION_KEY);
    this.clockOffset = 0;
    if (clearData && userId) {
      await searchStopped;
      const known = readJson<{ id: string }[]>(keys.summaries(userId)) ?? [];
      await forgetUser(
        userId,
        known.map((summary) => summary.id),
      );
    }
  }
}

export const session = new SessionState();

onUnauthenticated(() => session.expire());
docs.onStopped((_doc, code) => {
  if (code === CloseCode.Unauthorized) session.expire();
});
