/**
 * The user directory (GET /api/users): names and avatars for ids found in documents. Cached per
 * user in localStorage, so names show at start and offline; refreshed from the server.
 */
import type { PublicUser } from '@palabre/shared';
import { api, ApiError, NETWORK } from '$lib/api.js';
import { t } from '$lib/i18n/index.svelte.js';
import { keys, readJson, writeJson } from '$lib/sync/storage.js';
import { handleError } from './toasts.svelte.js';
import { session } from './session.svelte.js';

class DirectoryState {
  users = $state.raw<PublicUser[]>([]);
  loaded = $state(false);
  #byId = $derived(new Map(this.users.map((user) => [user.id, user])));
  #loading: Promise<void> | null = null;
  #cachedFor: string | null = null;
  /** When loading last failed for lack of network: not retried on every change for a while. */
  #offlineSince = 0;

  constructor() {
    session.onSignOut(() => {
      this.users = [];
      this.loaded = false;
      this.#cachedFor = null;
    });
  }

  /** The cached directory of the signed-in user, if any; true when something was found. */
  restore(): boolean {
    const me = session.user?.id;
    if (!me) return false;
    if (this.#cachedFor === me) return this.loaded;
    this.#cachedFor = me;
    const cached = readJson<PublicUser[]>(keys.users(me));
    if (!cached) return false;
    this.users = cached;
    this.loaded = true;
    return true;
  }

  load(): Promise<void> {
    this.#loading ??= api
      .users()
      .then(({ users }) => {
        this.users = users;
        this.loaded = true;
        const me = session.user?.id;
        if (me) writeJson(keys.users(me), users);
      })
      .finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** Reload when a document or summary mentions someone we do not know yet (a new colleague). */
  ensure(ids: Iterable<string>): void {
    if (!this.loaded || this.#loading || Date.now() - this.#offlineSince < 30_000) return;
    for (const id of ids) {
      if (!this.#byId.has(id)) {
        this.load().catch((error) => {
          // Offline: the name appears once the server is reachable again.
          if (error instanceof ApiError && error.code === NETWORK) this.#offlineSince = Date.now();
          else handleError(error);
        });
        return;
      }
    }
  }

  get(id: string): PublicUser | undefined {
    return this.#byId.get(id);
  }

  name(id: string): string {
    return this.#byId.get(id)?.displayName ?? t('sidebar.unknownUser');
  }

  /** Everyone but me who can be written to, sorted by display name. */
  colleagues(meId: string, intl: string): PublicUser[] {
    const collator = new Intl.Collator(intl, { sensitivity: 'base' });
    return this.users
      .filter((user) => user.id !== meId && !user.disabled)
      .sort((a, b) => collator.compare(a.displayName, b.displayName));
  }
}

export const directory = new DirectoryState();
