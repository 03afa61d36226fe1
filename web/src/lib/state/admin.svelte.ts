/**
 * The admin console's data, all from /api/admin/*: every account (the directory used for names
 * there, disabled accounts included), every discussion, the audit log and my API tokens.
 * Each list remembers whether it is loading or failed, so the sections can say so.
 */
import type { ApiTokenInfo, AuditEntry, DiscussionSummary, PublicUser } from '@palabre/shared';
import type { OrgRole, Role } from '@palabre/shared/permissions/index';
import { SvelteMap } from 'svelte/reactivity';
import { request } from '$lib/api.js';
import { t } from '$lib/i18n/index.svelte.js';
import { directory } from './directory.svelte.js';
import type { MemberOps } from './members.svelte.js';
import { session } from './session.svelte.js';

export type { ApiTokenInfo, AuditEntry } from '@palabre/shared';

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  role?: OrgRole;
}

export interface UserPatch {
  displayName?: string;
  role?: OrgRole;
  disabled?: boolean;
  password?: string;
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

const AUDIT_PAGE = 50;
const enc = encodeURIComponent;

class AdminState {
  users = $state.raw<PublicUser[]>([]);
  usersState = $state<LoadState>('idle');
  #usersById = $derived(new Map(this.users.map((user) => [user.id, user])));

  #discussions = new SvelteMap<string, DiscussionSummary>();
  discussionsState = $state<LoadState>('idle');

  audit = $state.raw<AuditEntry[]>([]);
  auditState = $state<LoadState>('idle');
  /** True once a page came back shorter than asked: the beginning of the log is shown. */
  auditEnd = $state(false);
  auditLoadingMore = $state(false);

  tokens = $state.raw<ApiTokenInfo[]>([]);
  tokensState = $state<LoadState>('idle');

  constructor() {
    session.onSignOut(() => this.#reset());
  }

  /** Every discussion, groups and direct ones, most recent activity first. */
  get allDiscussions(): DiscussionSummary[] {
    return [...this.#discussions.values()].sort(
      (a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? -1 : 1),
    );
  }

  /** Groups only, most recent activity first. */
  get groups(): DiscussionSummary[] {
    return [...this.#discussions.values()]
      .filter((d) => d.kind === 'group')
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? -1 : 1));
  }

  discussion(id: string): DiscussionSummary | undefined {
    return this.#discussions.get(id);
  }

  user(id: string): PublicUser | undefined {
    return this.#usersById.get(id);
  }

  name(id: string): string {
    return this.#usersById.get(id)?.displayName ?? directory.get(id)?.displayName ?? t('sidebar.unknownUser');
  }

  /** A discussion's name: its title, or its members' names (direct discussions, untitled groups). */
  discussionName(id: string): string {
    const summary = this.#discussions.get(id);
    if (!summary) return t('audit.unknownGroup');
    if (summary.title) return summary.title;
    return summary.members.map((m) => this.name(m.userId)).join(', ');
  }

  /* Loading */

  async loadUsers(): Promise<void> {
    if (this.usersState === 'idle' || this.usersState === 'error') this.usersState = 'loading';
    try {
      const { users } = await request<{ users: PublicUser[] }>('GET', '/api/admin/users');
      this.users = users;
      this.usersState = 'ready';
    } catch (error) {
      if (this.usersState !== 'ready') this.usersState = 'error';
      throw error;
    }
  }

  async loadDiscussions(): Promise<void> {
    if (this.discussionsState === 'idle' || this.discussionsState === 'error')
      this.discussionsState = 'loading';
    try {
      const { discussions } = await request<{ discussions: DiscussionSummary[] }>(
        'GET',
        '/api/admin/discussions',
      );
      this.#discussions.clear();
      for (const summary of discussions) this.#discussions.set(summary.id, summary);
      this.discussionsState = 'ready';
    } catch (error) {
      if (this.discussionsState !== 'ready') this.discussionsState = 'error';
      throw error;
    }
  }

  /** The newest page of the audit log (again, when refreshing). */
  async loadAudit(): Promise<void> {
    if (this.auditState !== 'ready') this.auditState = 'loading';
    try {
      const { entries } = await request<{ entries: AuditEntry[] }>(
        'GET',
        `/api/admin/audit?limit=${AUDIT_PAGE}`,
      );
      this.audit = entries;
      this.auditEnd = entries.length < AUDIT_PAGE;
      this.auditState = 'ready';
    } catch (error) {
      if (this.auditState !== 'ready') this.auditState = 'error';
      throw error;
    }
  }

  /** The page before the oldest entry shown (« Plus ancien »). */
  async loadOlderAudit(): Promise<void> {
    const oldest = this.audit[this.audit.length - 1];
    if (!oldest || this.auditEnd || this.auditLoadingMore) return;
    this.auditLoadingMore = true;
    try {
      const { entries } = await request<{ entries: AuditEntry[] }>(
        'GET',
        `/api/admin/audit?limit=${AUDIT_PAGE}&before=${oldest.id}`,
      );
      const known = new Set(this.audit.map((entry) => entry.id));
      this.audit = [...this.audit, ...entries.filter((entry) => !known.has(entry.id))];
      this.auditEnd = entries.length < AUDIT_PAGE;
    } finally {
      this.auditLoadingMore = false;
    }
  }

  async loadTokens(): Promise<void> {
    if (this.tokensState !== 'ready') this.tokensState = 'loading';
    try {
      const { tokens } = await request<{ tokens: ApiTokenInfo[] }>('GET', '/api/admin/tokens');
      this.tokens = [...tokens].sort((a, b) => b.createdAt - a.createdAt);
      this.tokensState = 'ready';
    } catch (error) {
      if (this.tokensState !== 'ready') this.tokensState = 'error';
      throw error;
    }
  }

  /* Accounts */

  async createUser(input: NewUser): Promise<PublicUser> {
    const { user } = await request<{ user: PublicUser }>('POST', '/api/admin/users', input);
    this.#putUser(user);
    return user;
  }

  async updateUser(id: string, patch: UserPatch): Promise<PublicUser> {
    const { user } = await request<{ user: PublicUser }>('PATCH', `/api/admin/users/${enc(id)}`, patch);
    this.#putUser(user);
    return user;
  }

  async setDisabled(id: string, disabled: boolean): Promise<PublicUser> {
    const { user } = await request<{ user: PublicUser }>(
      'POST',
      `/api/admin/users/${enc(id)}/${disabled ? 'disable' : 'enable'}`,
    );
    this.#putUser(user);
    return user;
  }

  /* Groups */

  async renameGroup(id: string, title: string): Promise<void> {
    this.#putDiscussion(
      await request<DiscussionSummary>('PATCH', `/api/admin/discussions/${enc(id)}`, { title }),
    );
  }

  /** Member changes of any group, through /api/admin/discussions/:id/members. */
  memberOps(discussionId: string): MemberOps {
    const path = (userId?: string) =>
      `/api/admin/discussions/${enc(discussionId)}/members${userId ? `/${enc(userId)}` : ''}`;
    return {
      add: async (userId: string, role: Role) =>
        this.#putDiscussion(await request<DiscussionSummary>('POST', path(), { userId, role })),
      setRole: async (userId: string, role: Role) =>
        this.#putDiscussion(await request<DiscussionSummary>('PATCH', path(userId), { role })),
      remove: async (userId: string) =>
        this.#putDiscussion(await request<DiscussionSummary>('DELETE', path(userId))),
    };
  }

  /* Tokens */

  /** The token itself is returned once and never stored here. */
  async createToken(label: string): Promise<string> {
    const { token } = await request<{ token: string; label: string }>('POST', '/api/admin/tokens', {
      label,
    });
    await this.loadTokens().catch(() => undefined);
    return token;
  }

  /** Revoke a token: the server refuses it from now on and closes its open connections. */
  async revokeToken(id: string): Promise<void> {
    await request<null>('DELETE', `/api/admin/tokens/${encodeURIComponent(id)}`);
    this.tokens = this.tokens.filter((token) => token.id !== id);
  }

  #putUser(user: PublicUser): void {
    this.users = this.users.some((other) => other.id === user.id)
      ? this.users.map((other) => (other.id === user.id ? user : other))
      : [...this.users, user];
    // The app's own directory (names, the contact picker) follows.
    if (directory.loaded) void directory.load().catch(() => undefined);
    // My own name or rights changed: the navigation shows them.
    if (session.user && session.user.id === user.id) session.user = user;
  }

  #putDiscussion(summary: DiscussionSummary): void {
    this.#discussions.set(summary.id, summary);
  }

  #reset(): void {
    this.users = [];
    this.usersState = 'idle';
    this.#discussions.clear();
    this.discussionsState = 'idle';
    this.audit = [];
    this.auditState = 'idle';
    this.auditEnd = false;
    this.tokens = [];
    this.tokensState = 'idle';
  }
}

export const admin = new AdminState();
