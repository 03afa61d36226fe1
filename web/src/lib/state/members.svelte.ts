/**
 * Group membership from the UI: who may do what to whom (mirrors the server's rules, which
 * enforce them), and the member endpoints of a discussion. The answers (discussion summaries)
 * go into the discussions state, so the sidebar, the thread header and the panel follow at once;
 * other members learn about it from the events socket.
 */
import type { DiscussionMember, DiscussionSummary, PublicUser } from '@palabre/shared';
import { Action, can, type OrgRole, type Role } from '@palabre/shared/permissions/index';
import { findPeople } from '@palabre/shared/text';
import { request } from '$lib/api.js';
import { discussions } from './discussions.svelte.js';

/** Most rights first: the order of the role selects and of the members list. */
export const ROLES: readonly Role[] = ['owner', 'moderator', 'member', 'reader'];

const rank = (role: Role) => ROLES.indexOf(role);

/** What a panel needs to act on a group's members, whichever endpoints it goes through. */
export interface MemberOps {
  add(userId: string, role: Role): Promise<void>;
  setRole(userId: string, role: Role): Promise<void>;
  remove(userId: string): Promise<void>;
}

/** The acting user: their role in the group (null when not a member) and their organisation role. */
export interface Actor {
  id: string;
  role: Role | null;
  orgRole: OrgRole;
}

export function mayManage(actor: Actor): boolean {
  return can(actor.role, Action.ManageMembers, actor.orgRole);
}

/** Owners and admins touch anyone; moderators only members and readers (and never make moderators). */
export function mayTouch(actor: Actor, target: Role): boolean {
  if (!mayManage(actor)) return false;
  if (actor.orgRole === 'admin' || actor.role === 'owner') return true;
  return target === 'member' || target === 'reader';
}

/** The roles the actor may give. */
export function assignableRoles(actor: Actor): Role[] {
  if (!mayManage(actor)) return [];
  if (actor.orgRole === 'admin' || actor.role === 'owner') return [...ROLES];
  return ['member', 'reader'];
}

/** Owners first, then moderators, members and readers; by name within a role. */
export function sortMembers(
  members: readonly DiscussionMember[],
  nameOf: (id: string) => string,
  intl: string,
): DiscussionMember[] {
  const collator = new Intl.Collator(intl, { sensitivity: 'base' });
  return [...members].sort(
    (a, b) => rank(a.role) - rank(b.role) || collator.compare(nameOf(a.userId), nameOf(b.userId)),
  );
}

/** Active colleagues who are not in the group, filtered accent- and case-insensitively. */
export function candidates(
  users: readonly PublicUser[],
  members: readonly DiscussionMember[],
  query: string,
  intl: string,
): PublicUser[] {
  const inGroup = members.map((m) => m.userId);
  const collator = new Intl.Collator(intl, { sensitivity: 'base' });
  return findPeople(
    users.filter((user) => !user.disabled && !inGroup.includes(user.id)),
    query,
  ).sort((a, b) => collator.compare(a.displayName, b.displayName));
}

const path = (id: string, userId?: string) =>
  `/api/discussions/${encodeURIComponent(id)}/members${userId ? `/${encodeURIComponent(userId)}` : ''}`;

/** Member changes of one of my discussions, through /api/discussions/:id/members. */
export function discussionMemberOps(discussionId: string): MemberOps {
  return {
    async add(userId, role) {
      discussions.upsert(await request<DiscussionSummary>('POST', path(discussionId), { userId, role }));
    },
    async setRole(userId, role) {
      discussions.upsert(await request<DiscussionSummary>('PATCH', path(discussionId, userId), { role }));
    },
    async remove(userId) {
      discussions.upsert(await request<DiscussionSummary>('DELETE', path(discussionId, userId)));
    },
  };
}

/** Leave a group (DELETE of my own membership). The server refuses the last owner (last_owner). */
export async function leaveDiscussion(discussionId: string, meId: string): Promise<void> {
  await request<DiscussionSummary>('DELETE', path(discussionId, meId));
  // The events socket also says discussion_removed; refreshing drops it from the list at once.
  await discussions.refresh().catch(() => undefined);
}
