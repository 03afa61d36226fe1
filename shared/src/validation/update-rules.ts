/**
 * The rules a discussion update must follow, checked by the server on every incoming update
 * (and usable by clients before they send). Pure: (document as the server has it, update,
 * who sends it) -> verdict. Nothing is applied here.
 *
 * An update is decoded into Yjs structs (new items) and a delete set. Each new item is placed:
 * its root map and key come from the item itself or, when it overwrites a key, from the item
 * it follows (its origin), found in the update or in the document. Then the rule table below
 * (also in ARCHITECTURE.md) decides. The first broken rule refuses the whole update.
 */
import * as Y from 'yjs';
import { Action, can, type OrgRole } from '../permissions/index.js';
import { mergeCursor } from '../discussion/reads.js';
import { Root, type DiscussionKind, type ReadCursor, type Role } from '../discussion/schema.js';
import { MAX_MESSAGE_LENGTH, Message, textProblem, type MessageRecord } from '../discussion/record.js';
import type { FileRef } from '../discussion/file-ref.js';
import { MENTION_ALL, mayMentionAll, parseMentions } from '../discussion/mentions.js';

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

const refuse = (code: RuleCode, message: string): Verdict => ({ ok: false, code, message });

type AnyStruct = Y.Item | Y.GC | Y.Skip;
interface Placed {
  root: string;
  key: string | null;
  value: unknown;
  deleted: boolean;
}

function stateOf(doc: Y.Doc, client: number): number {
  return Y.getState(doc.store, client);
}

/** The struct of doc (or null) holding id. */
function findInDoc(doc: Y.Doc, id: Y.ID): AnyStruct | null {
  if (id.clock >= stateOf(doc, id.client)) return null;
  try {
    return Y.getItem(doc.store, id) as AnyStruct;
  } catch {
    return null;
  }
}

function rootName(doc: Y.Doc, type: Y.AbstractType<unknown>): string | null {
  if (type._item !== null) return null; // a nested type: not part of the schema
  for (const [key, value] of doc.share.entries()) if (value === type) return key;
  return null;
}

/** Where an integrated item of the document lives. */
function placeInDoc(doc: Y.Doc, item: Y.Item): Placed | null {
  const root = rootName(doc, item.parent as Y.AbstractType<unknown>);
  if (root === null) return null;
  const values = item.content.getContent();
  return { root, key: item.parentSub, value: values[0], deleted: item.deleted };
}

interface DeleteSet {
  clients: Map<number, { clock: number; len: number }[]>;
}

export function checkUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  sender: Sender,
  context: RuleContext = {},
): Verdict {
  const { structs, ds } = Y.decodeUpdate(update) as { structs: AnyStruct[]; ds: DeleteSet };
  // The update's items per client, in clock order (as encoded): an item may span several clocks
  // (consecutive deleted entries merge), so a lookup finds the item whose range holds the clock.
  const inUpdate = new Map<number, Y.Item[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const list = inUpdate.get(s.id.client);
    if (list) list.push(s);
    else inUpdate.set(s.id.client, [s]);
  }
  const lookupInUpdate = (id: Y.ID): Y.Item | null => {
    const list = inUpdate.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = list[mid];
      if (id.clock < item.id.clock) hi = mid - 1;
      else if (id.clock >= item.id.clock + item.length) lo = mid + 1;
      else return item;
    }
    return null;
  };

  const placed = new Map<Y.Item, { root: string; key: string | null }>();
  const placeNew = (item: Y.Item, depth = 0): { root: string; key: string | null } | null => {
    const known = placed.get(item);
    if (known) return known;
    let result: { root: string; key: string | null } | null = null;
    if (typeof item.parent === 'string') result = { root: item.parent, key: item.parentSub };
    else if (item.parent !== null)
      return null; // parent is an item: a nested type
    else {
      const originId = item.origin ?? item.rightOrigin;
      if (!originId || depth > 1000) return null;
      const originInUpdate = lookupInUpdate(originId);
      if (originInUpdate) result = placeNew(originInUpdate, depth + 1);
      else {
        const origin = findInDoc(doc, originId);
        if (origin instanceof Y.Item) {
          const p = placeInDoc(doc, origin);
          result = p ? { root: p.root, key: p.key } : null;
        }
      }
    }
    if (result) placed.set(item, result);
    return result;
  };

  let missingDependencies = false;
  let cursor: ReadCursor | undefined;
  // Per client, the next clock this update must provide to be contiguous with the document.
  const next = new Map<number, number>();
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue; // a hole: what follows it will show as a gap
    const client = struct.id.client;
    const expected = next.get(client) ?? stateOf(doc, client);
    if (struct.id.clock > expected) missingDependencies = true;
    next.set(client, Math.max(expected, struct.id.clock + struct.length));
    if (!(struct instanceof Y.Item)) continue; // GC carries no content
    if (struct.id.clock + struct.length <= stateOf(doc, client)) continue; // the server has it already
    const place = placeNew(struct);
    if (!place) {
      if (struct.parent !== null && typeof struct.parent !== 'string')
        return refuse(RuleCode.NestedType, 'nested shared types are not part of the schema');
      // Following an item in a gap of this update: the complete difference will tell.
      if (missingDependencies) return { ok: true, missingDependencies };
      return refuse(RuleCode.UnknownReference, 'the update refers to items the server does not have');
    }
    const verdict = checkItem(doc, struct, place.root, place.key, sender, context);
    if (verdict) return verdict;
    if (place.root === Root.reads && struct.content instanceof Y.ContentAny)
      cursor = mergeCursor(cursor, struct.content.arr[0] as ReadCursor) ?? cursor;
  }

  // Nothing of an update with a gap is applied: the server asks for the complete difference.
  if (missingDependencies) return { ok: true, missingDependencies };
  for (const [client, ranges] of ds.clients) {
    for (const range of ranges) {
      const verdict = checkDeletion(doc, client, range.clock, range.len, sender, lookupInUpdate);
      if (verdict) return verdict;
    }
  }
  return cursor ? { ok: true, missingDependencies, cursor } : { ok: true, missingDependencies };
}

function checkItem(
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

function checkDeletion(
  doc: Y.Doc,
  client: number,
  clock: number,
  len: number,
  sender: Sender,
  lookupInUpdate: (id: Y.ID) => Y.Item | null,
): Verdict | null {
  const end = clock + len;
  const known = stateOf(doc, client);
  if (clock < known) {
    const structs = doc.store.clients.get(client) ?? [];
    let index = Y.findIndexSS(structs, clock);
    for (; index < structs.length && structs[index].id.clock < end; index++) {
      const struct = structs[index];
      if (!(struct instanceof Y.Item) || struct.deleted) continue;
      const place = placeInDoc(doc, struct);
      if (!place) return refuse(RuleCode.NestedType, 'nested shared types are not part of the schema');
      const verdict = checkDelete(place, sender);
      if (verdict) return verdict;
    }
  }
  if (end > known) {
    // Items created by this very update may be deleted by it too; anything else is unknown.
    for (let c = Math.max(clock, known); c < end;) {
      const item = lookupInUpdate(Y.createID(client, c));
      if (!item)
        return refuse(RuleCode.UnknownReference, 'the update deletes items the server does not have');
      c = item.id.clock + item.length;
    }
  }
  return null;
}

function checkDelete(place: Placed, sender: Sender): Verdict | null {
  if (place.root === Root.meta || place.root === Root.members)
    return refuse(RuleCode.ServerOnly, `${place.root} is written by the server only`);
  if (place.root === Root.reads)
    return place.key === sender.userId
      ? null
      : refuse(RuleCode.ForeignCursor, 'only its owner moves a read cursor');
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCursor(value: unknown): value is Record<string, number> {
  if (!isRecord(value)) return false;
  return Object.entries(value).every(
    ([k, v]) => /^\d+$/.test(k) && typeof v === 'number' && Number.isInteger(v) && v >= 0,
  );
}
