/**
 * My discussions: the list from GET /api/discussions (cached per user, so the sidebar renders at
 * start with no network), kept live by the /api/events socket, and merged with what the local
 * documents say (unread counts, a message sent offline) through the local cache. It feeds the
 * background sync (sync/background-sync.ts) with the list and tells it when to look again.
 */
import { fileOutbox } from './file-outbox.svelte.js';
import type { DiscussionSummary, ServerEvent } from '@palabre/shared';
import { CloseCode } from '@palabre/shared/close-codes';
import { Action, can, type Role } from '@palabre/shared/permissions/index';
import { matchesQuery, preview as previewText } from '@palabre/shared/text';
import { goto } from '$app/navigation';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { api } from '$lib/api.js';
import { firstName, joinNames } from '$lib/format.js';
import { locale, t } from '$lib/i18n/index.svelte.js';
import { EventsSocket, type EventsStatus } from '$lib/sync/events.js';
import { localCache } from '$lib/sync/local-cache.svelte.js';
import { network } from '$lib/sync/network.svelte.js';
import { BackgroundSync } from '$lib/sync/background-sync.js';
import { connectionLabel, type ConnectionLabel } from '$lib/sync/offline.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { forgetDiscussion, keys, mayKeepAgain, readJson, writeJson } from '$lib/sync/storage.js';
import { searchClient } from '$lib/search/client.svelte.js';
import { directory } from './directory.svelte.js';
import { session } from './session.svelte.js';
import { quietly, toasts } from './toasts.svelte.js';

export interface DiscussionView {
  id: string;
  kind: DiscussionSummary['kind'];
  /** Direct: the other person's name; group: its title, or the others' first names. */
  title: string;
  /** The other members (everyone but me), for avatars. */
  others: string[];
  memberCount: number;
  /** My role here (null if the server no longer lists me). */
  myRole: Role | null;
  /** Whether I may post: my role lets me (readers only read) and it is not archived. */
  canWrite: boolean;
  /** Archived: read-only for everyone, listed under « Archivées » only. */
  archived: boolean;
  /** Whether I may archive or restore it (owners, moderators, admins). */
  canArchive: boolean;
  /** Groups only: whether I may change the title (owners, moderators, admins). */
  canRename: boolean;
  lastMessage: { text: string; mine: boolean; ts: number } | null;
  activityAt: number;
  /** Unread messages, as the local document says (kept current by the background sync). */
  unread: number;
  /** Of those, the ones that mention me. */
  mentions: number;
  /** My messages waiting for the server in this discussion. */
  pending: number;
  /** Title and member names, for the sidebar filter. */
  searchText: string;
}

class DiscussionsState {
  #summaries = new SvelteMap<string, DiscussionSummary>();
  /** Discussions removed during this session (to say so instead of « not found »). */
  removed = new SvelteSet<string>();
  /** Something to show: the cached list, or the server's. */
  loaded = $state(false);
  /** The server's list arrived during this page's life. */
  fresh = $state(false);
  eventsStatus = $state<EventsStatus>('connecting');
  #eventsFailures = $state(0);
  #eventsEverOpen = $state(false);
  #socket: EventsSocket | null = null;
  #greeted = false;
  #user: string | null = null;
  #persistTimer: ReturnType<typeof setTimeout> | null = null;
  /** Ids upserted while a list request was in flight: that answer may predate them. */
  #touchedDuringRefresh: Set<string> | null = null;
  #refreshing: Promise<void> | null = null;
  /** While the events socket is open, the data is current: say so every minute. */
  #liveTimer: ReturnType<typeof setInterval> | null = null;
  readonly #pool = new BackgroundSync({
    user: () => this.#user,
    summaries: () => this.#summaries.values(),
    version: (id) => this.#summaries.get(id)?.version,
    online: () => this.eventsStatus === 'connected' && network.online,
    docs,
    cache: localCache,
  });

  /** Most recent activity first. */
  views: DiscussionView[] = $derived.by(() => {
    const me = session.user?.id;
    if (!me) return [];
    return [...this.#summaries.values()]
      .map((summary) => this.#view(summary, me))
      .sort((a, b) => b.activityAt - a.activityAt || (a.id < b.id ? -1 : 1));
  });

  /** My messages waiting for the server, over all discussions (those waiting for their files too). */
  pendingTotal = $derived.by(() => {
    let total = fileOutbox.entries.length;
    for (const id of this.#summaries.keys()) total += localCache.get(id).pending;
    return total;
  });

  /** The events socket's state in words (the sidebar's status when no thread is open). */
  eventsLabel: ConnectionLabel = $derived(
    connectionLabel({
      online: network.online,
      open: this.eventsStatus === 'connected',
      everOpen: this.#eventsEverOpen,
      failures: this.#eventsFailures,
    }),
  );

  constructor() {
    session.onSignOut(() => this.#reset());
    docs.setWritePolicy((id) => {
      const summary = this.#summaries.get(id);
      const me = session.user?.id;
      const role = summary?.members.find((m) => m.userId === me)?.role ?? null;
      return can(role, Action.Write);
    });
    docs.onStopped((doc, code) => {
      if (code === CloseCode.Forbidden || code === CloseCode.NotFound) this.remove(doc.id, true);
    });
    docs.onRejected(() => toasts.push(t('sync.rejected'), 'error', 10_000));
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => {
        // Back online: the events socket and the pool try now, not after their backoff.
        this.#socket?.retryNow();
        this.#pool.resetBackoff();
      });
    }
  }

  /**
   * Show the list and keep it live. From the cache at once when there is one (the server's list
   * follows in the background); from the server otherwise. Safe to call more than once.
   */
  async start(): Promise<void> {
    const me = session.user?.id;
    if (!me) return;
    if (this.#user !== me) {
      this.#reset();
      this.#user = me;
      localCache.open(me);
      const cached = readJson<DiscussionSummary[]>(keys.summaries(me));
      if (cached) {
        for (const summary of cached) this.#summaries.set(summary.id, summary);
        this.loaded = true;
      }
    }
    if (!this.#socket) {
      this.#socket = new EventsSocket({
        onEvent: (event) => this.#onEvent(event),
        onStatus: (status, failures) => {
          // Connected until now: everything the server said had arrived.
          if (this.eventsStatus === 'connected' && status !== 'connected') localCache.touch();
          this.eventsStatus = status;
          this.#eventsFailures = failures;
          if (status === 'connected') {
            this.#eventsEverOpen = true;
            this.#pool.kick();
          }
        },
        onUnauthorized: () => session.expire(),
        // A refused upgrade hides its HTTP status: ask the API, which reports a 401 properly.
        onRefused: () => {
          if (network.online) void session.refresh();
        },
      });
      this.#socket.start();
      this.#pool.startSoon();
      this.#liveTimer = setInterval(() => {
        if (this.eventsStatus === 'connected') localCache.touch();
      }, 60_000);
    }
    if (this.fresh) return;
    if (this.loaded) this.refresh().catch(quietly);
    else await this.refresh();
  }

  /** The server's list, merged in (one request at a time). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#fetchList().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #fetchList(): Promise<void> {
    const me = this.#user;
    this.#touchedDuringRefresh ??= new Set();
    const touched = this.#touchedDuringRefresh;
    let discussions: DiscussionSummary[];
    try {
      ({ discussions } = await api.discussions());
    } finally {
      if (this.#touchedDuringRefresh === touched) this.#touchedDuringRefresh = null;
    }
    if (me !== this.#user) return;
    const listed = new Set(discussions.map((d) => d.id));
    for (const id of [...this.#summaries.keys()]) {
      // Gone while we were away: removed from it, or deleted.
      if (!listed.has(id) && !touched.has(id)) this.remove(id, true);
    }
    for (const summary of discussions) this.#summaries.set(summary.id, summary);
    this.loaded = true;
    this.fresh = true;
    localCache.touch();
    this.#persist();
    directory.ensure(discussions.flatMap((d) => d.members.map((m) => m.userId)));
    this.#pool.kick();
  }

  get(id: string): DiscussionView | undefined {
    return this.views.find((view) => view.id === id);
  }

  summary(id: string): DiscussionSummary | undefined {
    return this.#summaries.get(id);
  }

  /** Accent- and case-insensitive filter on titles and participant names. */
  filter(query: string): DiscussionView[] {
    if (!query.trim()) return this.views;
    return this.views.filter((view) => matchesQuery(view.searchText, query));
  }

  /** Start a discussion with these colleagues (the server adds me); returns its id. */
  async create(memberIds: string[], title?: string): Promise<string> {
    const summary = await api.createDiscussion(memberIds, title);
    this.upsert(summary);
    return summary.id;
  }

  async rename(id: string, title: string): Promise<void> {
    this.upsert(await api.renameDiscussion(id, title));
  }

  async setArchived(id: string, archived: boolean): Promise<void> {
    this.upsert(await api.archiveDiscussion(id, archived));
  }

  upsert(summary: DiscussionSummary): void {
    this.removed.delete(summary.id);
    if (this.#user) mayKeepAgain(this.#user, summary.id);
    this.#touchedDuringRefresh?.add(summary.id);
    this.#summaries.set(summary.id, summary);
    this.#persist();
    directory.ensure(summary.members.map((m) => m.userId));
    if (summary.version > localCache.get(summary.id).v) this.#pool.kick();
  }

  /**
   * I am no longer in this discussion (removed, or it was deleted): close it, delete its local
   * copy, drop it from the sidebar, and leave it if it is on screen.
   */
  remove(id: string, notify: boolean): void {
    const me = this.#user;
    const title = this.get(id)?.title;
    const had = this.#summaries.delete(id);
    this.removed.add(id);
    docs.drop(id);
    localCache.forget(id);
    searchClient.forget(id);
    if (me) void forgetDiscussion(me, id);
    if (!had) return;
    this.#persist();
    if (notify) toasts.push(title ? t('sync.removed', { title }) : t('errors.removed'), 'info');
    if (typeof location !== 'undefined' && location.pathname === `/discussions/${id}`) {
      void goto('/discussions', { replaceState: true });
    }
  }

  /** The discussion to reopen at start (the last one open), if it is still mine. */
  lastOpen(): string | null {
    const me = session.user?.id;
    if (!me) return null;
    const id = readJson<string>(keys.lastOpen(me));
    if (!id) return null;
    if (this.loaded) return this.#summaries.has(id) ? id : null;
    const cached = readJson<{ id: string }[]>(keys.summaries(me));
    return cached?.some((summary) => summary.id === id) ? id : null;
  }

  /** The thread about to open: start reading its local copy now (see docs.preload). */
  prepare(id: string): void {
    const me = session.user?.id;
    if (me && this.#summaries.has(id)) docs.preload(me, id);
  }

  rememberOpen(id: string): void {
    const me = session.user?.id;
    if (me) writeJson(keys.lastOpen(me), id);
  }

  #onEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'hello':
        localCache.touch();
        if (!session.confirmed) session.syncClock(event.serverTime);
        // Events sent while we were disconnected are lost: catch up from the list.
        if (this.#greeted || this.loaded) this.refresh().catch(quietly);
        this.#greeted = true;
        break;
      case 'discussion':
        this.upsert(event.discussion);
        break;
      case 'discussion_removed':
        this.remove(event.id, true);
        break;
    }
  }

  // --- views ------------------------------------------------------------------------------

  #view(summary: DiscussionSummary, me: string): DiscussionView {
    const others = summary.members.map((m) => m.userId).filter((id) => id !== me);
    const info = localCache.get(summary.id);
    let last = summary.lastMessage
      ? {
          text: summary.lastMessage.preview,
          mine: summary.lastMessage.author === me,
          ts: summary.lastMessage.ts,
        }
      : null;
    // The local document may know better (a message written offline, not on the server yet).
    if (info.last && (!last || info.last.ts >= last.ts)) {
      last = { text: previewText(info.last.text), mine: info.last.author === me, ts: info.last.ts };
    }
    const names = summary.members.map((m) => {
      const user = directory.get(m.userId);
      return user ? `${user.displayName} ${user.username}` : '';
    });
    const title = this.#title(summary, others);
    const myRole = summary.members.find((m) => m.userId === me)?.role ?? null;
    return {
      id: summary.id,
      kind: summary.kind,
      title,
      others,
      memberCount: summary.members.length,
      myRole,
      canWrite: can(myRole, Action.Write) && !summary.archivedAt,
      archived: !!summary.archivedAt,
      canArchive: can(myRole, Action.Archive, session.user?.role),
      canRename: summary.kind === 'group' && can(myRole, Action.Rename, session.user?.role),
      lastMessage: last,
      activityAt: Math.max(summary.lastActivityAt, last?.ts ?? 0),
      unread: info.unread,
      mentions: info.mentions ?? 0,
      pending: info.pending,
      searchText: `${title} ${names.join(' ')}`,
    };
  }

  #title(summary: DiscussionSummary, others: string[]): string {
    if (summary.kind === 'group' && summary.title) return summary.title;
    if (summary.kind === 'direct') return others.length ? directory.name(others[0]) : directory.name('');
    const names = others.map((id) => firstName(directory.name(id)));
    if (names.length === 0) return session.user?.displayName ?? '';
    return joinNames(names, locale.intl);
  }

  /** The list in localStorage, for the next start (coalesced: events come in bursts). */
  #persist(): void {
    if (this.#persistTimer || !this.#user) return;
    const me = this.#user;
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = null;
      if (this.#user === me) writeJson(keys.summaries(me), [...this.#summaries.values()]);
    }, 200);
  }

  #reset(): void {
    this.#socket?.stop();
    this.#socket = null;
    if (this.#liveTimer) clearInterval(this.#liveTimer);
    this.#liveTimer = null;
    this.#refreshing = null;
    this.#pool.stop();
    if (this.#persistTimer) clearTimeout(this.#persistTimer);
    this.#persistTimer = null;
    this.#greeted = false;
    this.#user = null;
    this.#summaries.clear();
    this.removed.clear();
    this.loaded = false;
    this.fresh = false;
    this.eventsStatus = 'connecting';
    this.#eventsFailures = 0;
    this.#eventsEverOpen = false;
  }
}

export const discussions = new DiscussionsState();
