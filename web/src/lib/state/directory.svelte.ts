/** The user directory (GET /api/users): names and avatars for ids found in documents. */
import type { PublicUser } from '@palabre/shared';
import { api } from '$lib/api.js';
import { t } from '$lib/i18n/index.svelte.js';
import { handleError } from './toasts.svelte.js';
import { session } from './session.svelte.js';

class DirectoryState {
  users = $state.raw<PublicUser[]>([]);
  loaded = $state(false);
  #byId = $derived(new Map(this.users.map((user) => [user.id, user])));
  #loading: Promise<void> | null = null;

  constructor() {
    session.onSignOut(() => {
      this.users = [];
      this.loaded = false;
    });
  }

  load(): Promise<void> {
    this.#loading ??= api
      .users()
      .then(({ users }) => {
        this.users = users;
        this.loaded = true;
      })
      .finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** Reload when a document or summary mentions someone we do not know yet (a new colleague). */
  ensure(ids: Iterable<string>): void {
    if (!this.loaded || this.#loading) return;
    for (const id of ids) {
      if (!this.#byId.has(id)) {
        this.load().catch(handleError);
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
