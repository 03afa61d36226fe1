/**
 * The rules about content: what one new item may hold (a message, a pin, a read cursor) and
 * what the sender may delete, given the sender's role and the document as the server has it.
 */
import * as Y from 'yjs';
import { Action, can } from '../permissions/index.js';
import { Root, type DiscussionKind } from '../discussion/schema.js';
import { MAX_MESSAGE_LENGTH, Message, textProblem, type MessageRecord } from '../discussion/record.js';
import type { FileRef } from '../discussion/file-ref.js';
import { MENTION_ALL, mayMentionAll, parseMentions } from '../discussion/mentions.js';
import type { Placed } from './update-structs.js';
import { RuleCode, refuse, type RuleContext, type Sender, type Verdict } from './verdict.js';

export function checkItem(
  doc: Y.Doc,
  item: Y.Item,
  root: string,
  key: string | null,
  sender: Sender,
  context: RuleContext,
): Verdict | null {
  if (root === Root.meta || root === Root.members)
    return refuse(RuleCode.ServerOnly, `${root} is written by the server only`);
  if (root !== Root.messages && root !== Root.pins && root !== Root.reads)
    return refuse(RuleCode.UnknownRoot, `unknown root "${root}"`);
  if (key === null) return refuse(RuleCode.BadContent, `${root} is a map`);
  if (root !== Root.reads && isArchived(doc))
    return refuse(RuleCode.Archived, 'an archived discussion is read-only');
  const content = item.content;
  if (content instanceof Y.ContentDeleted) {
    // Written and overwritten before it was sent: no content left, only its place matters.
    if (root === Root.reads && key !== sender.userId)
      return refuse(RuleCode.ForeignCursor, 'only its owner moves a read cursor');
    if (root !== Root.reads && !can(sender.role, Action.Write, sender.orgRole))
      return refuse(RuleCode.ReadOnly, 'readers cannot write');
    return null;
  }
  if (content instanceof Y.ContentType)
    return refuse(RuleCode.NestedType, 'nested shared types are not part of the schema');
  if (!(content instanceof Y.ContentAny) || content.arr.length !== 1)
    return refuse(RuleCode.BadContent, `${root} holds plain values only`);
  const value = content.arr[0];

  if (root === Root.reads) {
    if (key !== sender.userId) return refuse(RuleCode.ForeignCursor, 'only its owner moves a read cursor');
    // Two devices of the owner may write concurrently, each without the other's progress: that
    // is accepted here and the server merges the two (see mergeCursor), so it never goes back.
    if (!isCursor(value)) return refuse(RuleCode.BadContent, 'a read cursor maps client ids to clocks');
    return null;
  }

  if (!can(sender.role, Action.Write, sender.orgRole))
    return refuse(RuleCode.ReadOnly, 'readers cannot write');

  if (root === Root.pins) {
    if (!can(sender.role, Action.Pin, sender.orgRole)) return refuse(RuleCode.ReadOnly, 'you cannot pin');
    if (
      !isRecord(value) ||
      value.by !== sender.userId ||
      typeof value.at !== 'number' ||
      !Number.isFinite(value.at)
    )
      return refuse(RuleCode.BadPin, 'a pin is { by: you, at: time }');
    return null;
  }

  // messages: the record's shape comes from its one definition (discussion/record.ts)
  const problem = Message.problem(value);
  if (problem) return refuse(RuleCode.BadContent, problem);
  const message = value as unknown as MessageRecord;
  if (message.id !== key)
    return refuse(RuleCode.BadContent, `a message is ${Message.shape} stored under its id`);
  const existing = doc.getMap<unknown>(Root.messages).get(key);
  // Retention: what is older than the last purge's cut-off is gone and stays gone; only messages
  // the purge kept (pinned) may still change.
  const cutoff = doc.getMap<unknown>(Root.meta).get('purgedBefore');
  if (existing === undefined && typeof cutoff === 'number' && message.ts < cutoff)
    return refuse(RuleCode.ExpiredMessage, 'this message is older than the retention period');
  const stored = existing === undefined ? undefined : isRecord(existing) ? existing : {};
  if (stored?.deletedAt !== undefined)
    return refuse(RuleCode.DeletedMessage, 'a deleted message stays deleted');
  if (existing !== undefined && Message.isRecord(existing)) {
    // A tombstone by a moderator keeps the author: every immutable field is checked here.
    const changed = Message.changedImmutable(existing, message);
    if (changed.length > 0) return refuse(RuleCode.ImmutableField, `a message keeps its ${changed[0]}`);
  }
  if (message.deletedAt !== undefined) return checkTombstone(message, stored, sender);
  if (stored && stored.author !== sender.userId)
    return refuse(RuleCode.ForeignMessage, 'this message is not yours');
  if (message.author !== sender.userId)
    return refuse(RuleCode.NotAuthor, 'a message is written by its sender only');
  const text = textProblem(message.text);
  if (text === 'too_long')
    return refuse(RuleCode.MessageTooLong, `a message is limited to ${MAX_MESSAGE_LENGTH} characters`);
  const files = message.files ?? [];
  if (text === 'empty' && files.length === 0)
    return refuse(RuleCode.EmptyMessage, 'a message cannot be empty');
  return checkFiles(files, context) ?? checkMentions(doc, message.text, message.mentions, sender);
}

/** Attachments refer only to files uploaded to this discussion, with their stored metadata. */
function checkFiles(files: FileRef[], context: RuleContext): Verdict | null {
  for (const file of files) {
    const stored = context.fileOf?.(file.id) ?? null;
    if (!stored) return refuse(RuleCode.ForeignFile, `file ${file.id} was not uploaded to this discussion`);
    if (stored.name !== file.name || stored.type !== file.type || stored.size !== file.size)
      return refuse(RuleCode.ForeignFile, `file ${file.id} is { id, name, type, size } as uploaded`);
  }
  return null;
}

/** A deleted message: its place only, deleted by its author or by an owner or moderator. */
function checkTombstone(
  message: MessageRecord,
  stored: Record<string, unknown> | undefined,
  sender: Sender,
): Verdict | null {
  const author = stored ? stored.author : sender.userId;
  if (
    message.author !== author ||
    message.text !== '' ||
    message.deletedBy !== sender.userId ||
    message.mentions !== undefined ||
    message.files !== undefined ||
    message.editedAt !== undefined
  )
    return refuse(
      RuleCode.BadContent,
      'a deleted message is { id, author, ts, text: "", deletedAt, deletedBy: you }',
    );
  if (author !== sender.userId && !can(sender.role, Action.DeleteOthersMessages, sender.orgRole))
    return refuse(RuleCode.ForbiddenDelete, 'only owners and moderators delete messages of others');
  return null;
}

/** `mentions` lists exactly the `<@id>` tokens of the text, members only; « @tous » by owners and moderators of a group. */
function checkMentions(doc: Y.Doc, text: string, mentions: unknown, sender: Sender): Verdict | null {
  const inText = parseMentions(text);
  if (mentions === undefined && inText.length === 0) return null;
  if (
    !Array.isArray(mentions) ||
    mentions.length !== inText.length ||
    mentions.some((id, i) => id !== inText[i])
  )
    return refuse(RuleCode.BadMention, 'mentions list the <@id> tokens of the text, in order');
  const members = doc.getMap<unknown>(Root.members);
  for (const id of inText) {
    if (id === MENTION_ALL) {
      const kind = doc.getMap<unknown>(Root.meta).get('kind') as DiscussionKind | undefined;
      if (!mayMentionAll(sender.role, kind ?? null))
        return refuse(RuleCode.MentionAllForbidden, '« @tous » is for owners and moderators of a group');
    } else if (!members.has(id)) return refuse(RuleCode.BadMention, 'only members can be mentioned');
  }
  return null;
}

export function checkDelete(doc: Y.Doc, place: Placed, sender: Sender): Verdict | null {
  if (place.root === Root.meta || place.root === Root.members)
    return refuse(RuleCode.ServerOnly, `${place.root} is written by the server only`);
  if (place.root === Root.reads)
    return place.key === sender.userId
      ? null
      : refuse(RuleCode.ForeignCursor, 'only its owner moves a read cursor');
  if (isArchived(doc)) return refuse(RuleCode.Archived, 'an archived discussion is read-only');
  if (!can(sender.role, Action.Write, sender.orgRole))
    return refuse(RuleCode.ReadOnly, 'readers cannot write');
  if (place.root === Root.messages) {
    const author = isRecord(place.value) ? place.value.author : undefined;
    if (author !== sender.userId && !can(sender.role, Action.DeleteOthersMessages, sender.orgRole))
      return refuse(RuleCode.ForbiddenDelete, 'only owners and moderators delete messages of others');
  }
  if (place.root === Root.pins && !can(sender.role, Action.Pin, sender.orgRole))
    return refuse(RuleCode.ReadOnly, 'you cannot unpin');
  return null;
}

function isArchived(doc: Y.Doc): boolean {
  return typeof doc.getMap<unknown>(Root.meta).get('archivedAt') === 'number';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCursor(value: unknown): value is Record<string, number> {
  if (!isRecord(value)) return false;
  return Object.entries(value).every(
    ([k, v]) => /^\d+$/.test(k) && typeof v === 'number' && Number.isInteger(v) && v >= 0,
  );
}
