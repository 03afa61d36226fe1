/** The signed-in user, the server clock offset, and sign-in / sign-out. */
import type { PublicUser } from '@palabre/shared';
import { CloseCode } from '@palabre/shared/close-codes';
import { goto } from '$app/navigation';
import { api, ApiError, onUnauthenticated } from '$lib/api.js';
import { t } from '$lib/i18n/index.svelte.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { toasts } from './toasts.svelte.js';

/** Set while this browser probably holds a session cookie (which JavaScript cannot see). */
const HINT_KEY = 'palabre:signed-in';

function setHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage blocked: the hint only saves a request.
  }
}

class SessionState {
  user = $state<PublicUser | null>(null);
  /**
   * serverTime - local time, measured at the last /api/me (half the round trip accounted for).
   * Message timestamps use the server's clock so a device with a wrong clock cannot send
   * messages into the past or the future of the discussion.
   */
  clockOffset = 0;
  #probe: Promise<PublicUser | null> | null = null;
  /** The last probe answered 401: nobody is signed in, no need to ask again (and log a 401). */
  #anonymous = false;
  #signOutHandlers = new Set<() => void>();

  /** The signed-in user, asking the server if needed; null when nobody is signed in. */
  load(): Promise<PublicUser | null> {
    if (this.user) return Promise.resolve(this.user);
    if (this.#anonymous) return Promise.resolve(null);
    this.#probe ??= this.#fetchMe().finally(() => (this.#probe = null));
    return this.#probe;
  }

  async login(username: string, password: string): Promise<PublicUser> {
    const { user } = await api.login(username, password);
    this.user = user;
    this.#anonymous = false;
    setHint(true);
    // Measure the clock offset now; a failure here only leaves the offset at 0.
    await this.#fetchMe().catch(() => undefined);
    return user;
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // Signing out locally matters more than telling the server; its cookie expires anyway.
    }
    this.#end();
    await goto('/login', { replaceState: true });
  }

  /** The server said our session is gone (a 401 from the API or a 4401 close). */
  expire(): void {
    if (!this.user) return;
    this.#end();
    toasts.push(t('errors.unauthenticated'), 'info');
    void goto(`/login?next=${encodeURIComponent(location.pathname)}`, { replaceState: true });
  }

  /**
   * Whether asking /api/me is worth it on the login page: false for a browser that signed out
   * or never signed in, so visiting /login does not log a 401 in the console.
   */
  get probablySignedIn(): boolean {
    if (this.user) return true;
    try {
      return localStorage.getItem(HINT_KEY) === '1';
    } catch {
      return true;
    }
  }

  /** Now on the server's clock, in milliseconds. */
  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** Run handler when the user signs out or the session expires (to drop their data). */
  onSignOut(handler: () => void): () => void {
    this.#signOutHandlers.add(handler);
    return () => this.#signOutHandlers.delete(handler);
  }

  async #fetchMe(): Promise<PublicUser | null> {
    const sentAt = Date.now();
    try {
      const me = await api.me({ quiet401: true });
      this.clockOffset = me.serverTime - (sentAt + Date.now()) / 2;
      this.user = me.user;
      this.#anonymous = false;
      setHint(true);
      return me.user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#anonymous = true;
        setHint(false);
        return null;
      }
      throw error;
    }
  }

  #end(): void {
    for (const handler of this.#signOutHandlers) handler();
    docs.closeAll();
    this.user = null;
    this.#anonymous = true;
    setHint(false);
    this.clockOffset = 0;
  }
}

export const session = new SessionState();

onUnauthenticated(() => session.expire());
docs.onClosed((_doc, code) => {
  if (code === CloseCode.Unauthorized) session.expire();
});
