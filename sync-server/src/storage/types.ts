/**
 * Storage interfaces. The sync server talks to these only, so SQLite (the embedded default)
 * and Postgres (for several nodes) are interchangeable. All methods are async for that reason,
 * even where SQLite answers synchronously.
 */
import type { AuditEntry, DiscussionKind, OrgRole, RetentionPolicy, Role } from '@palabre/shared';

/**
 * One stored row of a document's log, as a copy in memory knows it holds it: an update by its
 * sequence number (`"42"`); a compaction's snapshot, which takes the sequence number of the
 * last update it replaced, by an id of its own in a store several nodes share (another node's
 * compaction may write a different snapshot at the same place).
 */
export type RowId = string;

/** The append-only update log of each Yjs document, with compaction into snapshots. */
export interface DocStore {
  /**
   * Every stored update of the document, oldest first, the sequence number of the last, and
   * each one's RowId (in the same order).
   */
  load(docId: string): Promise<{ updates: Uint8Array[]; lastSeq: number; rows: RowId[] }>;
  /** Durably append one update; resolves once committed. Returns its sequence number. */
  append(docId: string, update: Uint8Array): Promise<number>;
  /**
   * Atomically replace every update up to and including upToSeq by one snapshot; resolves with
   * the new row's id. A store several nodes share folds into the snapshot the replaced rows that
   * are not in `held` (the rows the snapshot is known to hold; without it, every row): another
   * node's update not received yet is kept, and returned in `missed` for the caller to apply.
   * A store of one process has nothing to fold (`missed` is empty).
   */
  compact(
    docId: string,
    snapshot: Uint8Array,
    upToSeq: number,
    held?: ReadonlySet<RowId>,
  ): Promise<{ row: RowId; missed: Uint8Array[] }>;
  /** The sequence number of the document's last stored update (0 when none): its version. */
  version(docId: string): Promise<number>;
  /**
   * The versions of several documents in one query (0 for one never written). Only a store
   * several nodes share has it (PostgreSQL): a node checks every document it holds every 2 s.
   */
  versions?(docIds: string[]): Promise<Map<string, number>>;
  /** Remove the document's whole history. */
  remove(docId: string): Promise<void>;
}

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  role: OrgRole;
  disabled: boolean;
  createdAt: number;
}

export interface SessionRow {
  /** A public handle (listing and ending sessions); the token itself is never stored. */
  id: string;
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** Set for API tokens that an admin created for scripts; null for browser sessions. */
  label: string | null;
  /** Last time the session authenticated a request (at most a minute late). */
  lastSeenAt: number;
  /** The browser or client that opened it, as it said (for the sessions list). */
  userAgent: string | null;
}

export type AuditRow = AuditEntry;

export interface DiscussionRow {
  id: string;
  kind: DiscussionKind;
  title: string | null;
  createdBy: string;
  createdAt: number;
  directKey: string | null;
  lastActivityAt: number;
  lastMessage: { author: string; preview: string; ts: number } | null;
  /** When it was archived (read-only for every role, see ARCHITECTURE.md "Archives"); null when not. */
  archivedAt: number | null;
  /** Retention override in days (a positive integer); null follows the organisation's policy. */
  retentionDays: number | null;
}

export interface MemberRow {
  discussionId: string;
  userId: string;
  role: Role;
  addedAt: number;
}

/** Users, sessions, discussions and memberships: the relational side. */
export interface Directory {
  countUsers(): Promise<number>;
  insertUser(user: UserRow): Promise<void>;
  userById(id: string): Promise<UserRow | null>;
  userByUsername(username: string): Promise<UserRow | null>;
  listUsers(): Promise<UserRow[]>;
  updateUser(
    id: string,
    patch: Partial<Pick<UserRow, 'displayName' | 'passwordHash' | 'role' | 'disabled'>>,
  ): Promise<void>;

  insertSession(session: SessionRow): Promise<void>;
  sessionByTokenHash(tokenHash: string): Promise<SessionRow | null>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: string): Promise<void>;
  apiTokensOf(userId: string): Promise<SessionRow[]>;
  /** Every API token of every user, oldest first. */
  allApiTokens(): Promise<SessionRow[]>;
  /** A user's browser sessions (not API tokens), most recently used first. */
  browserSessionsOf(userId: string): Promise<SessionRow[]>;
  sessionById(id: string): Promise<SessionRow | null>;
  touchSession(tokenHash: string, at: number): Promise<void>;

  /** Insert a discussion with its members in one transaction. */
  insertDiscussion(discussion: DiscussionRow, members: MemberRow[]): Promise<void>;
  discussionById(id: string): Promise<DiscussionRow | null>;
  discussionByDirectKey(key: string): Promise<DiscussionRow | null>;
  discussionsOf(userId: string): Promise<DiscussionRow[]>;
  membersOf(discussionId: string): Promise<MemberRow[]>;
  memberRole(discussionId: string, userId: string): Promise<Role | null>;
  listDiscussions(): Promise<DiscussionRow[]>;
  upsertMember(member: MemberRow): Promise<void>;
  removeMember(discussionId: string, userId: string): Promise<void>;
  setTitle(discussionId: string, title: string | null): Promise<void>;
  setLastMessage(
    discussionId: string,
    lastMessage: { author: string; preview: string; ts: number },
    activityAt: number,
  ): Promise<void>;

  /** Several setLastMessage at once, in one transaction; a null lastMessage clears it (all deleted). */
  setLastMessages(
    entries: {
      discussionId: string;
      lastMessage: { author: string; preview: string; ts: number } | null;
      activityAt: number;
    }[],
  ): Promise<void>;

  /** Archive a discussion (at that time) or restore it (null). */
  setArchived(discussionId: string, archivedAt: number | null): Promise<void>;
  /** A discussion's retention override in days; null follows the organisation's policy. */
  setRetentionDays(discussionId: string, days: number | null): Promise<void>;
  /** The organisation's retention policy: `{ days: null, keepPinned: true }` until one is saved. */
  retentionPolicy(): Promise<RetentionPolicy>;
  setRetentionPolicy(policy: RetentionPolicy): Promise<void>;

  appendAudit(entry: Omit<AuditRow, 'id'>): Promise<void>;
  listAudit(options: { limit: number; before?: number }): Promise<AuditRow[]>;
}

export interface Storage {
  docs: DocStore;
  directory: Directory;
  files: FileIndex;
  /**
   * Make what was deleted unrecoverable from the storage's files now (SQLite: checkpoint and
   * truncate the WAL). Called after a retention purge; optional where deleting already does it.
   */
  scrub?(): Promise<void>;
  /**
   * Several nodes on this storage (PostgreSQL): take the run of `job` for `day` (YYYY-MM-DD).
   * Resolves true for exactly one caller per job and day, false for every other. Absent where one
   * node owns the storage (SQLite, memory): that node always runs its daily jobs.
   */
  claimDailyRun?(job: string, day: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * File bytes, stored once per content: the key is the SHA-256 of the bytes (64 hex digits), so
 * the same file uploaded twice, to any discussions, is kept once. Who may read a file and which
 * files point to which bytes is FileIndex's business; this only keeps bytes.
 */
export interface BlobStore {
  /**
   * Store the bytes of source as they arrive (never all in memory). Rejects with
   * BlobTooLargeError once more than maxBytes arrive, keeping nothing.
   */
  put(
    source: AsyncIterable<Uint8Array>,
    options?: { maxBytes?: number },
  ): Promise<{ hash: string; size: number }>;
  /** The stored bytes as a stream, or null when there are none for this hash. */
  get(hash: string): Promise<NodeJS.ReadableStream | null>;
  has(hash: string): Promise<boolean>;
  /** Forget the bytes; removing unknown bytes is not an error. */
  remove(hash: string): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
  }
}

/** A file uploaded to a discussion: its metadata and the hash of its bytes (and of its preview). */
export interface FileRow {
  id: string;
  discussionId: string;
  name: string;
  type: string;
  size: number;
  hash: string;
  previewHash: string | null;
  uploadedBy: string;
  createdAt: number;
}

/** Which files exist, in which discussion, pointing at which bytes. */
export interface FileIndex {
  insert(file: FileRow): Promise<void>;
  byId(id: string): Promise<FileRow | null>;
  ofDiscussion(discussionId: string): Promise<FileRow[]>;
  /** Delete these files' rows; returns the hashes no remaining row points at (bytes to remove). */
  remove(ids: string[]): Promise<string[]>;
}

/** The database cannot be reached (PostgreSQL down or cut off): writes are refused with 503 until it is back. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super('storage unavailable', { cause });
  }
}
