/** Shapes of REST responses, shared so the web app and tests read what the server writes. */
import type { DiscussionKind, Role } from './discussion/schema.js';
import type { OrgRole } from './permissions/index.js';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: OrgRole;
  disabled: boolean;
}

export interface DiscussionMember {
  userId: string;
  role: Role;
}

export interface DiscussionSummary {
  id: string;
  kind: DiscussionKind;
  title: string | null;
  members: DiscussionMember[];
  createdBy: string;
  createdAt: number;
  /** Time of the last message (or of creation), for "most recent activity first". */
  lastActivityAt: number;
  lastMessage: { author: string; preview: string; ts: number } | null;
  /**
   * Grows with every update the server stores for this discussion. A client that synced the
   * discussion at version v has nothing to fetch while the summary still says v.
   */
  version: number;
  /** When the discussion was archived (read-only, listed under « Archivées »); null when not. */
  archivedAt: number | null;
}

/**
 * The organisation's retention policy (GET/PUT /api/admin/retention): messages older than `days`
 * days are purged (null: kept forever); `keepPinned` keeps pinned messages whatever their age.
 */
export interface RetentionPolicy {
  days: number | null;
  keepPinned: boolean;
}

/** What a retention run deletes (preview) or deleted (run), per discussion. */
export interface RetentionReport {
  messages: number;
  files: number;
  discussions: { id: string; title: string | null; messages: number; files: number }[];
}

export interface LoginResult {
  token: string;
  user: PublicUser;
}

export interface MeResult {
  user: PublicUser;
  serverTime: number;
  /** MAX_FILE_BYTES: the web app refuses larger files before uploading anything. */
  maxFileBytes: number;
}

/** Pushed on /api/events (one JSON object per WebSocket text frame). */
export type ServerEvent =
  | { type: 'discussion'; discussion: DiscussionSummary }
  | { type: 'discussion_removed'; id: string }
  | { type: 'hello'; serverTime: number };

/** One line of the audit log of access changes (GET /api/admin/audit). */
export interface AuditEntry {
  id: number;
  at: number;
  actorId: string;
  action: string;
  targetType: 'user' | 'discussion' | 'token' | 'backup' | 'retention';
  targetId: string;
  details: Record<string, unknown>;
}

/** An admin's API token as listed (GET /api/admin/tokens): never its secret. */
export interface ApiTokenInfo {
  /** The handle to revoke it with (DELETE /api/admin/tokens/:id). */
  id: string;
  label: string;
  /** The admin who created it. */
  userId: string;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
}

/** One of my browser sessions (GET /api/me/sessions). */
export interface SessionInfo {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** The browser that opened it, as it described itself. */
  userAgent: string | null;
  /** The session making this request. */
  current: boolean;
}

/** A backup in the backups folder (GET and POST /api/admin/backups). */
export interface BackupInfo {
  /** The file name, e.g. palabre-20261130T171500Z.tar. */
  name: string;
  /** Where it is on the server's disk. */
  path: string;
  /** running: being written; done: complete (verify it with `palabre verify`); failed: see error. */
  status: 'running' | 'done' | 'failed';
  /** When it was started (running, failed) or written (done), ms since the epoch. */
  createdAt: number;
  /** Bytes, once done. */
  size: number | null;
  /** SHA-256 of the whole file, when this server wrote it. */
  sha256: string | null;
  error: { code: string; message: string } | null;
}
