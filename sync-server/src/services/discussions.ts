/** Creating and listing discussions: the SQL rows, the document's first update and the events. */
import * as Y from 'yjs';
import {
  DiscussionKind,
  ErrorCode,
  Role,
  initDiscussion,
  setTitle,
  newId,
  preview,
  type DiscussionSummary,
  type MessageRecord,
} from '@palabre/shared';
import { HttpError } from '../http/errors.js';
import type { DocManager } from '../sync/doc-manager.js';
import type { EventHub } from '../sync/events.js';
import type { DiscussionRow, MemberRow, Storage, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';

export class DiscussionService {
  private readonly dirty = new Map<
    string,
    { last: MessageRecord | null | undefined; memberIds: () => string[] }
  >();
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly events: EventHub,
    private readonly docs: DocManager,
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
    };
  }

  async get(discussionId: string): Promise<DiscussionRow> {
    const row = await this.storage.directory.discussionById(discussionId);
    if (!row) throw new HttpError(404, ErrorCode.DiscussionNotFound, 'This discussion does not exist');
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
    if (!role) throw new HttpError(403, ErrorCode.NotMember, 'You are not a member of this discussion');
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
      throw new HttpError(
        400,
        ErrorCode.ValidationFailed,
        'Choose at least one colleague other than yourself',
      );
    for (const id of others) {
      const user = await this.storage.directory.userById(id);
      if (!user || user.disabled) throw new HttpError(404, ErrorCode.UserNotFound, `Unknown user ${id}`);
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

  /**
   * A committed update changed the document: record the newest message for the sidebar when
   * messages were added, and send members who have an events socket open the new summary.
   * Coalesced (150 ms), written in one transaction, and yielding between announcements, so a
   * burst across many discussions never holds up the relay.
   */
  changed(
    discussionId: string,
    _version: number,
    last: MessageRecord | null | undefined,
    memberIds: () => string[],
  ): void {
    if (this.stopped) return;
    const previous = this.dirty.get(discussionId);
    this.dirty.set(discussionId, { last: last === undefined ? previous?.last : last, memberIds });
    this.flushTimer ??= setTimeout(() => void this.flush(), 150);
  }

  /** Write what is pending and accept no more (server shutdown). */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = [...this.dirty.entries()];
    this.dirty.clear();
    const now = this.now();
    await this.storage.directory.setLastMessages(
      batch.flatMap(([id, { last }]) =>
        last
          ? [
              {
                discussionId: id,
                lastMessage: { author: last.author, preview: preview(last.text), ts: last.ts },
                activityAt: now,
              },
            ]
          : [],
      ),
    );
    for (const [id, { memberIds }] of batch) {
      if (!this.events.listening(memberIds())) continue;
      if (await this.storage.directory.discussionById(id)) await this.announce(id);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
