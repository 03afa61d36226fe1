/**
 * My discussions: the list from GET /api/discussions, kept live by the /api/events socket, and
 * merged with what open documents know (a message sent offline shows in the sidebar at once).
 */
import type { DiscussionSummary, ServerEvent } from '@palabre/shared';
import { Action, can, type Role } from '@palabre/shared/permissions/index';
import { lastMessage, unreadCount } from '@palabre/shared/discussion/index';
import { matchesQuery, preview as previewText } from '@palabre/shared/text';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { api } from '$lib/api.js';
import { firstName, joinNames } from '$lib/format.js';
import { locale } from '$lib/i18n/index.svelte.js';
import { EventsSocket, type EventsStatus } from '$lib/sync/events.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { directory } from './directory.svelte.js';
import { session } from './session.svelte.js';
import { handleError } from './toasts.svelte.js';

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
  /** Whether my role lets me post (readers only read). */
  canWrite: boolean;
  /** Groups only: whether I may change the title (owners, moderators, admins). */
  canRename: boolean;
  lastMessage: { text: string; mine: boolean; ts: number } | null;
  activityAt: number;
  /** Unread messages, known only while the discussion's document is open (0 otherwise). */
  unread: number;
  /** Title and member names, for the sidebar filter. */
  searchText: string;
}

class DiscussionsState {
  #summaries = new SvelteMap<string, DiscussionSummary>();
  /** Discussions removed during this session, so an open thread can say why it vanished. */
  removed = new SvelteSet<string>();
  loaded = $state(false);
  eventsStatus = $state<EventsStatus>('connecting');
  #socket: EventsSocket | null = null;
  #greeted = false;

  /** Most recent activity first. */
  views: DiscussionView[] = $derived.by(() => {
    const me = session.user?.id;
    if (!me) return [];
    return [...this.#summaries.values()]
      .map((summary) => this.#view(summary, me))
      .sort((a, b) => b.activityAt - a.activityAt || (a.id < b.id ? -1 : 1));
  });

  constructor() {
    session.onSignOut(() => this.#reset());
  }

  /** Load the list and keep it live. Safe to call more than once. */
  async start(): Promise<void> {
    if (!this.#socket) {
      this.#socket = new EventsSocket({
        onEvent: (event) => this.#onEvent(event),
        onStatus: (status) => (this.eventsStatus = status),
        onUnauthorized: () => session.expire(),
        // A refused upgrade hides its HTTP status: ask the API, which reports a 401 properly.
        onRefused: () => void api.me().catch(() => undefined),
      });
      this.#socket.start();
    }
    if (!this.loaded) await this.refresh();
  }

  async refresh(): Promise<void> {
    const { discussions } = await api.discussions();
    for (const id of [...this.#summaries.keys()]) {
      if (!discussions.some((d) => d.id === id)) this.#summaries.delete(id);
    }
    for (const summary of discussions) this.#summaries.set(summary.id, summary);
    this.loaded = true;
    directory.ensure(discussions.flatMap((d) => d.members.map((m) => m.userId)));
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

  upsert(summary: DiscussionSummary): void {
    this.removed.delete(summary.id);
    this.#summaries.set(summary.id, summary);
    directory.ensure(summary.members.map((m) => m.userId));
  }

  #onEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'hello':
        // Events sent while we were disconnected are lost: catch up from the list.
        if (this.#greeted || this.loaded) this.refresh().catch(handleError);
        this.#greeted = true;
        break;
      case 'discussion':
        this.upsert(event.discussion);
        break;
      case 'discussion_removed':
        if (this.#summaries.delete(event.id)) this.removed.add(event.id);
        docs.drop(event.id);
        break;
    }
  }

  #view(summary: DiscussionSummary, me: string): DiscussionView {
    const others = summary.members.map((m) => m.userId).filter((id) => id !== me);
    let last = summary.lastMessage
      ? {
          text: summary.lastMessage.preview,
          mine: summary.lastMessage.author === me,
          ts: summary.lastMessage.ts,
        }
      : null;
    let unread = 0;
    const open = docs.peek(summary.id);
    if (open) {
      void open.version; // recompute when the document changes
      const local = lastMessage(open.doc);
      if (local && (!last || local.ts >= last.ts)) {
        last = { text: previewText(local.text), mine: local.author === me, ts: local.ts };
      }
      unread = unreadCount(open.doc, me);
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
      canWrite: can(myRole, Action.Write),
      canRename: summary.kind === 'group' && can(myRole, Action.Rename, session.user?.role),
      lastMessage: last,
      activityAt: Math.max(summary.lastActivityAt, last?.ts ?? 0),
      unread,
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

  #reset(): void {
    this.#socket?.stop();
    this.#socket = null;
    this.#greeted = false;
    this.#summaries.clear();
    this.removed.clear();
    this.loaded = false;
    this.eventsStatus = 'connecting';
  }
}

export const discussions = new DiscussionsState();
