/**
 * The schema of a discussion document. One Y.Doc per discussion, with these root maps:
 *
 *   meta      Y.Map   v, id, kind, title, createdBy, createdAt,  (written by the server only)
 *                     archivedAt?, purgedBefore?
 *   members   Y.Map   userId -> { role, addedAt }                  (mirror of the server's table)
 *   messages  Y.Map   messageId -> MessageRecord                   (record.ts: its one definition)
 *   pins      Y.Map   messageId -> { by, at }
 *   reads     Y.Map   userId -> ReadCursor                         (moved by its owner only)
 *
 * ARCHITECTURE.md documents the same schema for third-party clients.
 */
import * as Y from 'yjs';
import type { MessageRecord } from './record.js';

export const SCHEMA_VERSION = 1;

export const Root = {
  meta: 'meta',
  members: 'members',
  messages: 'messages',
  pins: 'pins',
  reads: 'reads',
} as const;
export type RootName = (typeof Root)[keyof typeof Root];

export const DiscussionKind = { Direct: 'direct', Group: 'group' } as const;
export type DiscussionKind = (typeof DiscussionKind)[keyof typeof DiscussionKind];

export const Role = {
  Owner: 'owner',
  Moderator: 'moderator',
  Member: 'member',
  Reader: 'reader',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface DiscussionMeta {
  v: number;
  id: string;
  kind: DiscussionKind;
  title: string | null;
  createdBy: string;
  createdAt: number;
  /** Set while the discussion is archived: read-only for every role (rule `archived`). */
  archivedAt: number | null;
  /**
   * The retention cut-off of the last purge: messages older than this were removed, and a new
   * message this old is refused (rule `expired_message`), so an old copy cannot bring one back.
   */
  purgedBefore: number | null;
}

export interface MemberEntry {
  role: Role;
  addedAt: number;
}

export interface PinEntry {
  by: string;
  at: number;
}

/** A read cursor is a Yjs state vector: client id (as a string key) -> clock. */
export type ReadCursor = Record<string, number>;

export const metaMap = (doc: Y.Doc) => doc.getMap<unknown>(Root.meta);
export const membersMap = (doc: Y.Doc) => doc.getMap<MemberEntry>(Root.members);
export const messagesMap = (doc: Y.Doc) => doc.getMap<MessageRecord>(Root.messages);
export const pinsMap = (doc: Y.Doc) => doc.getMap<PinEntry>(Root.pins);
export const readsMap = (doc: Y.Doc) => doc.getMap<ReadCursor>(Root.reads);
