/**
 * Rows as SQLite and PostgreSQL return them (the same snake_case columns; SQLite's booleans are
 * 0/1) and their one mapping to the storage rows of types.ts.
 */
import type { AuditRow, DiscussionRow, FileRow, MemberRow, SessionRow, UserRow } from './types.js';

export interface UserDbRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  disabled: number | boolean;
  created_at: number;
}

export interface SessionDbRow {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  label: string | null;
  last_seen_at: number | null;
  user_agent: string | null;
}

export interface DiscussionDbRow {
  id: string;
  kind: string;
  title: string | null;
  created_by: string;
  created_at: number;
  direct_key: string | null;
  last_activity_at: number;
  last_message_author: string | null;
  last_message_preview: string | null;
  last_message_ts: number | null;
  archived_at: number | null;
  retention_days: number | null;
}

export interface MemberDbRow {
  discussion_id: string;
  user_id: string;
  role: string;
  added_at: number;
}

export interface AuditDbRow {
  id: number;
  at: number;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  /** JSON text in SQLite, already parsed from JSONB by PostgreSQL. */
  details: string | Record<string, unknown>;
}

/** The row a lookup found, mapped by `to`; null when it found none. */
export const foundAs = <D, R>(row: D | null | undefined, to: (row: D) => R): R | null =>
  row ? to(row) : null;

export const toUser = (r: UserDbRow): UserRow => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role as UserRow['role'],
  disabled: r.disabled === 1 || r.disabled === true,
  createdAt: r.created_at,
});

export const toSession = (r: SessionDbRow): SessionRow => ({
  id: r.id,
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  label: r.label,
  lastSeenAt: r.last_seen_at ?? r.created_at,
  userAgent: r.user_agent,
});

export const toDiscussion = (r: DiscussionDbRow): DiscussionRow => ({
  id: r.id,
  kind: r.kind as DiscussionRow['kind'],
  title: r.title,
  createdBy: r.created_by,
  createdAt: r.created_at,
  directKey: r.direct_key,
  lastActivityAt: r.last_activity_at,
  lastMessage:
    r.last_message_author !== null && r.last_message_ts !== null
      ? { author: r.last_message_author, preview: r.last_message_preview ?? '', ts: r.last_message_ts }
      : null,
  archivedAt: r.archived_at,
  retentionDays: r.retention_days,
});

export const toMember = (r: MemberDbRow): MemberRow => ({
  discussionId: r.discussion_id,
  userId: r.user_id,
  role: r.role as MemberRow['role'],
  addedAt: r.added_at,
});

export const toAudit = (r: AuditDbRow): AuditRow => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type as AuditRow['targetType'],
  targetId: r.target_id,
  details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
});

export interface FileDbRow {
  id: string;
  discussion_id: string;
  name: string;
  type: string;
  size: number;
  hash: string;
  preview_hash: string | null;
  uploaded_by: string;
  created_at: number;
}

export const toFile = (r: FileDbRow): FileRow => ({
  id: r.id,
  discussionId: r.discussion_id,
  name: r.name,
  type: r.type,
  size: r.size,
  hash: r.hash,
  previewHash: r.preview_hash,
  uploadedBy: r.uploaded_by,
  createdAt: r.created_at,
});
