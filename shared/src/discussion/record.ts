/**
 * The message record: the one definition of what a message holds. Every other place (the
 * server's update rules, the readers of a document, the web app's rollback re-add and its
 * display cache) builds, validates, copies and compares messages through this module.
 *
 * To add a field: declare it in `MessageRecord` (optional, since older messages lack it) and give
 * it one row in `MESSAGE_FIELDS` (the type refuses a table that does not match the interface).
 * The validator, the copier, the comparer and the server's rule derive from the table, so a new
 * field travels through a rollback re-add and refreshes the screen without touching them.
 */
import { isFileList, type FileRef } from './file-ref.js';
/**
 * A message as stored. `ts` is the author's hybrid logical clock (see messages.ts): wall-clock
 * milliseconds, pushed past every message the author had seen, so replies always sort after
 * what they answer even when clocks are wrong.
 */
export interface MessageRecord {
  id: string;
  author: string;
  text: string;
  ts: number;
  /** Attached files (file-ref.ts); the text may be empty when there are some. */
  files?: FileRef[];
  /** Mentioned user ids (or MENTION_ALL), the `<@id>` tokens of the text in order (mentions.ts). */
  mentions?: string[];
  /** When the author last changed the text (« (modifié) »). */
  editedAt?: number;
  /** A deleted message keeps only its place: id, author, ts, empty text, who deleted it and when. */
  deletedAt?: number;
  deletedBy?: string;
}

export interface FieldRule<Required extends boolean = boolean> {
  /** Every message has it; an optional field may be absent (older messages) but never invalid. */
  required: Required;
  /** Fixed once written: the server refuses an overwrite that changes it. */
  immutable: boolean;
  valid(value: unknown): boolean;
}

/** One row per field of MessageRecord, `required` exactly when the field is not optional. */
export type FieldTable<T> = {
  [K in keyof T]-?: FieldRule<undefined extends T[K] ? false : true>;
};

const isString = (value: unknown): boolean => typeof value === 'string';
const isTime = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isIdList = (value: unknown): boolean =>
  Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'string');

export const MESSAGE_FIELDS = {
  id: { required: true, immutable: true, valid: isString },
  author: { required: true, immutable: true, valid: isString },
  text: { required: true, immutable: false, valid: isString },
  ts: { required: true, immutable: true, valid: isTime },
  files: { required: false, immutable: false, valid: isFileList },
  mentions: { required: false, immutable: false, valid: isIdList },
  editedAt: { required: false, immutable: false, valid: isTime },
  deletedAt: { required: false, immutable: false, valid: isTime },
  deletedBy: { required: false, immutable: false, valid: isString },
} satisfies FieldTable<MessageRecord>;

/** A table with the same rule shape, possibly with more fields (what a test of a future field uses). */
export type AnyFieldTable = Readonly<Record<string, FieldRule>>;

/** The operations every place uses, derived from one table. */
export interface MessageModel {
  /** The fields, with `?` on optional ones: `{ id, author, text, ts }`. */
  readonly shape: string;
  readonly fields: AnyFieldTable;
  /** Lenient (reading a document): required fields valid, known optional ones valid, others ignored. */
  isRecord(value: unknown): value is MessageRecord;
  /** Strict (accepting a write): why the value is not exactly a record, or null. */
  problem(value: unknown): string | null;
  /** A record with the table's fields only (what goes back into a document). */
  copy(record: MessageRecord): MessageRecord;
  /** Same content in every field of the table. */
  same(a: MessageRecord, b: MessageRecord): boolean;
  /** Names of the immutable fields whose values differ between the stored and the new record. */
  changedImmutable(stored: MessageRecord, next: MessageRecord): string[];
}

export function messageModel(fields: AnyFieldTable): MessageModel {
  const entries = Object.entries(fields);
  const names = new Set(Object.keys(fields));
  const shape = `{ ${entries.map(([name, rule]) => (rule.required ? name : `${name}?`)).join(', ')} }`;
  const fieldProblem = (m: Record<string, unknown>): string | null => {
    for (const [name, rule] of entries) {
      const value = m[name];
      if (value === undefined) {
        if (rule.required) return `a message has a ${name}`;
      } else if (!rule.valid(value)) return `invalid ${name}`;
    }
    return null;
  };
  return {
    shape,
    fields,
    isRecord(value: unknown): value is MessageRecord {
      return isPlainObject(value) && fieldProblem(value) === null;
    },
    problem(value) {
      if (!isPlainObject(value)) return `a message is ${shape}`;
      const unknown = Object.keys(value).find((k) => !names.has(k));
      if (unknown !== undefined) return `a message is ${shape}, without "${unknown}"`;
      const problem = fieldProblem(value);
      return problem && `a message is ${shape}: ${problem}`;
    },
    copy(record) {
      const source = record as unknown as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name] of entries) if (source[name] !== undefined) out[name] = source[name];
      return out as unknown as MessageRecord;
    },
    same(a, b) {
      const x = a as unknown as Record<string, unknown>;
      const y = b as unknown as Record<string, unknown>;
      return entries.every(([name]) => sameValue(x[name], y[name]));
    },
    changedImmutable(stored, next) {
      const x = stored as unknown as Record<string, unknown>;
      const y = next as unknown as Record<string, unknown>;
      return entries.filter(([name, rule]) => rule.immutable && !sameValue(x[name], y[name])).map(([n]) => n);
    },
  };
}

/** The message model of this version of Palabre. */
export const Message = messageModel(MESSAGE_FIELDS);

export const isMessageRecord = Message.isRecord;
export const copyMessage = Message.copy;
export const sameMessage = Message.same;

export const MAX_MESSAGE_LENGTH = 10_000;

/** Why a text cannot be a message (the composer, the server's rule and the re-add agree), or null. */
export function textProblem(text: string): 'empty' | 'too_long' | null {
  if (text.trim() === '') return 'empty';
  if (text.length > MAX_MESSAGE_LENGTH) return 'too_long';
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of the plain values a record holds (strings, numbers, arrays, plain objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}
