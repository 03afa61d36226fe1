/** What the update rules answer (a verdict, with a rule code when refused) and what they are told. */
import type { OrgRole } from '../permissions/index.js';
import type { ReadCursor, Role } from '../discussion/schema.js';
import type { FileRef } from '../discussion/file-ref.js';

export interface Sender {
  userId: string;
  role: Role;
  orgRole?: OrgRole;
}

/**
 * What the rules need to know beyond the document: the files uploaded to this discussion (the
 * server's file index), as `{ name, type, size }` by id, or null for a file of another
 * discussion or none. Without it, no attachment is accepted.
 */
export interface RuleContext {
  fileOf?: (fileId: string) => Omit<FileRef, 'id'> | null;
}

export const RuleCode = {
  ReadOnly: 'read_only',
  ServerOnly: 'server_only',
  UnknownRoot: 'unknown_root',
  NestedType: 'nested_type',
  BadContent: 'bad_content',
  NotAuthor: 'not_author',
  MessageTooLong: 'message_too_long',
  EmptyMessage: 'empty_message',
  ImmutableField: 'immutable_field',
  ForeignMessage: 'foreign_message',
  ForeignCursor: 'foreign_cursor',
  BadPin: 'bad_pin',
  ForbiddenDelete: 'forbidden_delete',
  DeletedMessage: 'deleted_message',
  BadMention: 'bad_mention',
  MentionAllForbidden: 'mention_all_forbidden',
  UnknownReference: 'unknown_reference',
  ForeignFile: 'foreign_file',
  Archived: 'archived',
  ExpiredMessage: 'expired_message',
} as const;
export type RuleCode = (typeof RuleCode)[keyof typeof RuleCode];

export type Verdict =
  | {
      ok: true;
      missingDependencies: boolean;
      /**
       * The sender's read cursor as this update writes it (merged by maximum when it writes it
       * more than once). The server keeps the union with what it had: a concurrent write from
       * another device of the sender may win the key, and must not lose this one's progress.
       */
      cursor?: ReadCursor;
    }
  | { ok: false; code: RuleCode; message: string };

export const refuse = (code: RuleCode, message: string): Verdict => ({ ok: false, code, message });
