/**
 * Membership changes: add, remove, change role. Each one updates the table, the document's
 * member mirror, the members' sidebars and the open connections, and is written to the audit log.
 */
import {
  Action,
  CloseCode,
  DiscussionKind,
  ErrorCode,
  Role,
  can,
  removeMember as removeFromDoc,
  setMember,
  type DiscussionSummary,
} from '@palabre/shared';
import { AppError, forbidden } from '../errors.js';
import type { Storage, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';
import type { LiveDocs, Notifier } from './ports.js';
import type { DiscussionService } from './discussions.js';

export class MemberService {
  constructor(
    private readonly storage: Storage,
    private readonly discussions: DiscussionService,
    private readonly docs: LiveDocs,
    private readonly events: Notifier,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** The discussion, refusing direct ones and callers who may not manage its members. */
  private async manageable(actor: UserRow, discussionId: string) {
    const row = await this.discussions.get(discussionId);
    const actorRole = await this.storage.directory.memberRole(discussionId, actor.id);
    if (!actorRole && actor.role !== 'admin')
      throw new AppError(ErrorCode.NotMember, 'You are not a member of this discussion');
    if (row.kind === DiscussionKind.Direct)
      throw new AppError(ErrorCode.DirectDiscussion, 'A direct discussion has exactly its two people');
    if (!can(actorRole, Action.ManageMembers, actor.role))
      throw forbidden('Only owners, moderators and admins manage members');
    return { row, actorRole };
  }

  /** Moderators manage members and readers; only owners and admins touch owners and moderators. */
  private assertMayTouch(
    actor: UserRow,
    actorRole: Role | null,
    targetRole: Role | null,
    newRole: Role | null,
  ) {
    if (actor.role === 'admin' || actorRole === Role.Owner) return;
    const privileged = (r: Role | null) => r === Role.Owner || r === Role.Moderator;
    if (privileged(targetRole) || privileged(newRole))
      throw forbidden('Only owners and admins change owners and moderators');
  }

  private async assertNotLastOwner(discussionId: string, userId: string): Promise<void> {
    const members = await this.storage.directory.membersOf(discussionId);
    const owners = members.filter((m) => m.role === Role.Owner);
    if (owners.length === 1 && owners[0].userId === userId)
      throw new AppError(ErrorCode.LastOwner, 'A group keeps at least one owner: name another first');
  }

  async add(
    actor: UserRow,
    discussionId: string,
    userId: string,
    role: Role = Role.Member,
  ): Promise<DiscussionSummary> {
    const { actorRole } = await this.manageable(actor, discussionId);
    const user = await this.storage.directory.userById(userId);
    if (!user || user.disabled) throw new AppError(ErrorCode.UserNotFound, 'Unknown user');
    if (await this.storage.directory.memberRole(discussionId, userId))
      throw new AppError(ErrorCode.AlreadyMember, 'Already a member');
    this.assertMayTouch(actor, actorRole, null, role);
    const now = this.now();
    await this.storage.directory.upsertMember({ discussionId, userId, role, addedAt: now });
    await this.docs.change(discussionId, (doc) => setMember(doc, userId, role, now));
    await this.audit.record({
      actorId: actor.id,
      action: 'member.add',
      targetType: 'discussion',
      targetId: discussionId,
      details: { userId, role },
    });
    return this.discussions.announce(discussionId);
  }

  async setRole(
    actor: UserRow,
    discussionId: string,
    userId: string,
    role: Role,
  ): Promise<DiscussionSummary> {
    const { actorRole } = await this.manageable(actor, discussionId);
    const current = await this.storage.directory.memberRole(discussionId, userId);
    if (!current) throw new AppError(ErrorCode.UserNotFound, 'Not a member of this discussion');
    if (current === role) return this.discussions.announce(discussionId);
    this.assertMayTouch(actor, actorRole, current, role);
    if (current === Role.Owner) await this.assertNotLastOwner(discussionId, userId);
    const now = this.now();
    await this.storage.directory.upsertMember({ discussionId, userId, role, addedAt: now });
    await this.docs.change(discussionId, (doc) => setMember(doc, userId, role, now));
    this.docs.closePeers(discussionId, userId, CloseCode.RoleChanged, 'role changed');
    await this.audit.record({
      actorId: actor.id,
      action: 'member.role',
      targetType: 'discussion',
      targetId: discussionId,
      details: { userId, from: current, to: role },
    });
    return this.discussions.announce(discussionId);
  }

  async remove(actor: UserRow, discussionId: string, userId: string): Promise<DiscussionSummary> {
    const leaving = actor.id === userId;
    const row = await this.discussions.get(discussionId);
    const current = await this.storage.directory.memberRole(discussionId, userId);
    if (leaving && current) {
      if (row.kind === DiscussionKind.Direct)
        throw new AppError(ErrorCode.DirectDiscussion, 'A direct discussion has exactly its two people');
    } else {
      const { actorRole } = await this.manageable(actor, discussionId);
      if (!current) throw new AppError(ErrorCode.UserNotFound, 'Not a member of this discussion');
      this.assertMayTouch(actor, actorRole, current, null);
    }
    if (current === Role.Owner) await this.assertNotLastOwner(discussionId, userId);
    await this.storage.directory.removeMember(discussionId, userId);
    await this.docs.change(discussionId, (doc) => removeFromDoc(doc, userId));
    this.docs.closePeers(discussionId, userId, CloseCode.Forbidden, 'removed from the discussion');
    this.events.publish([userId], { type: 'discussion_removed', id: discussionId });
    await this.audit.record({
      actorId: actor.id,
      action: leaving ? 'member.leave' : 'member.remove',
      targetType: 'discussion',
      targetId: discussionId,
      details: { userId, role: current },
    });
    return this.discussions.announce(discussionId);
  }
}
