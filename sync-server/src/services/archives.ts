/**
 * Archiving: a discussion becomes read-only for every role (the update rule `archived` reads the
 * document's `meta.archivedAt`), leaves its members' sidebars for the « Archivées » filter, and
 * stays readable and searchable; restoring it undoes all of that. Owners, moderators and
 * organisation admins only. The document is changed first, so the rule acts before anyone is
 * told; then the row (what listings and summaries read), the audit log and the event.
 */
import { Action, ErrorCode, OrgRole, can, setArchived, type DiscussionSummary } from '@palabre/shared';
import { AppError, forbidden } from '../errors.js';
import type { Storage, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';
import type { DiscussionService } from './discussions.js';
import type { LiveDocs } from './ports.js';

export class ArchiveService {
  constructor(
    private readonly storage: Storage,
    private readonly discussions: DiscussionService,
    private readonly docs: LiveDocs,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Archive (true) or restore (false); asking twice changes nothing and answers the same. */
  async set(actor: UserRow, discussionId: string, archived: boolean): Promise<DiscussionSummary> {
    const row = await this.discussions.get(discussionId);
    const role = await this.discussions.roleOf(discussionId, actor.id);
    if (!role && actor.role !== OrgRole.Admin)
      throw new AppError(ErrorCode.NotMember, 'You are not a member of this discussion');
    if (!can(role, Action.Archive, actor.role))
      throw forbidden('Only owners, moderators and admins archive or restore a discussion');
    if ((row.archivedAt !== null) === archived) return this.discussions.summary(row);
    const at = archived ? this.now() : null;
    await this.docs.change(discussionId, (doc) => setArchived(doc, at));
    await this.storage.directory.setArchived(discussionId, at);
    await this.audit.record({
      actorId: actor.id,
      action: archived ? 'discussion.archive' : 'discussion.unarchive',
      targetType: 'discussion',
      targetId: discussionId,
      details: { title: row.title },
    });
    return this.discussions.announce(discussionId);
  }
}
