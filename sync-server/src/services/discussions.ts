/** Creating and listing discussions: the SQL rows, the document's first update and the events. */
import * as Y from 'yjs';
import {
  DiscussionKind,
  ErrorCode,
  Role,
  initDiscussion,
  setTitle,
  newId,
  type DiscussionSummary,
} from '@palabre/shared';
import { AppError } from '../errors.js';
import type { DiscussionRow, MemberRow, Storage, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';
import type { LiveDocs, Notifier } from './ports.js';

export class DiscussionService {
  constructor(
    private readonly storage: Storage,
    private readonly events: Notifier,
    private readonly docs: LiveDocs,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  async summary(row: DiscussionRow): Promise<DiscussionSummary> {
    const members = await this.storage.directory.membersOf(row.id);
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      members: members.map((m) => ({ userId: m.userId, role: m.role })),
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      lastActivityAt: row.lastActivityAt,
      lastMessage: row.lastMessage,
      version: await this.storage.docs.version(row.id),
      archivedAt: row.archivedAt,
    };
  }

  async get(discussionId: string): Promise<DiscussionRow> {
    const row = await this.storage.directory.discussionById(discussionId);
    if (!row) throw new AppError(ErrorCode.DiscussionNotFound, 'This discussion does not exist');
    return row;
  }

  roleOf(discussionId: string, userId: string): Promise<Role | null> {
    return this.storage.directory.memberRole(discussionId, userId);
  }

  async listAll(): Promise<DiscussionSummary[]> {
    const rows = await this.storage.directory.listDiscussions();
    return Promise.all(rows.map((r) => this.summary(r)));
  }

  async listFor(userId: string): Promise<DiscussionSummary[]> {
    const rows = await this.storage.directory.discussionsOf(userId);
    return Promise.all(rows.map((r) => this.summary(r)));
  }

  /** The discussion and the caller's role in it; 404 when unknown, 403 when not a member. */
  async access(discussionId: string, userId: string): Promise<{ row: DiscussionRow; role: Role }> {
    const row = await this.get(discussionId);
    const role = await this.storage.directory.memberRole(discussionId, userId);
    if (!role) throw new AppError(ErrorCode.NotMember, 'You are not a member of this discussion');
    return { row, role };
  }

  /**
   * Start a discussion between the creator and memberIds. One other person makes a direct
   * discussion, and asking again returns the existing one (created: false).
   */
  async create(
    creator: UserRow,
    memberIds: string[],
    title: string | null | undefined,
  ): Promise<{ summary: DiscussionSummary; created: boolean }> {
    const creatorId = creator.id;
    const others = [...new Set(memberIds)].filter((id) => id !== creatorId);
    if (others.length === 0)
      throw new AppError(ErrorCode.ValidationFailed, 'Choose at least one colleague other than yourself');
    for (const id of others) {
      const user = await this.storage.directory.userById(id);
      if (!user || user.disabled) throw new AppError(ErrorCode.UserNotFound, `Unknown user ${id}`);
    }
    const kind = others.length === 1 ? DiscussionKind.Direct : DiscussionKind.Group;
    const directKey = kind === DiscussionKind.Direct ? [creatorId, others[0]].sort().join(':') : null;
    if (directKey) {
      const existing = await this.storage.directory.discussionByDirectKey(directKey);
      if (existing) return { summary: await this.summary(existing), created: false };
    }
    const now = this.now();
    const row: DiscussionRow = {
      id: newId(),
      kind,
      title: kind === DiscussionKind.Group ? title?.trim() || null : null,
      createdBy: creatorId,
      createdAt: now,
      directKey,
      lastActivityAt: now,
      lastMessage: null,
      archivedAt: null,
      retentionDays: null,
    };
    const members: MemberRow[] = [creatorId, ...others].map((userId) => ({
      discussionId: row.id,
      userId,
      role: kind === DiscussionKind.Group && userId === creatorId ? Role.Owner : Role.Member,
      addedAt: now,
    }));
    // The document first: a crash between the two leaves an orphan document, never a
    // discussion without its metadata.
    const doc = new Y.Doc();
    initDiscussion(doc, {
      id: row.id,
      kind,
      title: row.title,
      createdBy: creatorId,
      createdAt: now,
      members: members.map((m) => ({ userId: m.userId, role: m.role })),
    });
    await this.storage.docs.append(row.id, Y.encodeStateAsUpdate(doc));
    doc.destroy();
    try {
      await this.storage.directory.insertDiscussion(row, members);
    } catch (err) {
      // Two people starting the same direct discussion at once: the unique key decides.
      const existing = directKey ? await this.storage.directory.discussionByDirectKey(directKey) : null;
      if (!existing) throw err;
      await this.storage.docs.remove(row.id);
      return { summary: await this.summary(existing), created: false };
    }
    const summary = await this.announce(row.id);
    return { summary, created: true };
  }

  async rename(actor: UserRow, discussionId: string, title: string): Promise<DiscussionSummary> {
    const before = await this.get(discussionId);
    await this.storage.directory.setTitle(discussionId, title);
    await this.docs.change(discussionId, (doc) => setTitle(doc, title));
    await this.audit.record({
      actorId: actor.id,
      action: 'discussion.rename',
      targetType: 'discussion',
      targetId: discussionId,
      details: { from: before.title, to: title },
    });
    return this.announce(discussionId);
  }

  /** Send the discussion's current summary to its members' event sockets. */
  async announce(discussionId: string): Promise<DiscussionSummary> {
    const summary = await this.summary(await this.get(discussionId));
    this.events.publish(
      summary.members.map((m) => m.userId),
      { type: 'discussion', discussion: summary },
    );
    return summary;
  }
}
