import { describe, expect, it } from 'vitest';
import {
  MESSAGE_FIELDS,
  Message,
  copyMessage,
  isMessageRecord,
  messageModel,
  sameMessage,
  textProblem,
  MAX_MESSAGE_LENGTH,
  type MessageRecord,
} from './record.js';

/** A record of a future version (a field this one does not declare). */
const future = (value: object) => value as MessageRecord;

const record = { id: 'abcdefghjk0123456789', author: 'alice', text: 'hello', ts: 1_700_000_000_000 };

describe('the message record (one definition)', () => {
  it('reads a record leniently: a field it does not know does not hide the message', () => {
    expect(isMessageRecord(record)).toBe(true);
    expect(isMessageRecord({ ...record, fromANewerClient: 1 })).toBe(true);
    expect(isMessageRecord({ ...record, ts: Number.NaN })).toBe(false);
    expect(isMessageRecord({ ...record, text: undefined })).toBe(false);
    expect(isMessageRecord([record])).toBe(false);
    expect(isMessageRecord(null)).toBe(false);
  });

  it('accepts a write strictly: exactly the fields of the table, each valid', () => {
    expect(Message.problem(record)).toBeNull();
    expect(Message.problem({ ...record, extra: true })).toMatch(/without "extra"/);
    expect(Message.problem({ ...record, author: 7 })).toMatch(/author/);
    expect(Message.problem({ id: record.id, author: 'alice', ts: 1 })).toMatch(/text/);
    expect(Message.shape).toBe(
      '{ id, author, text, ts, files?, mentions?, editedAt?, deletedAt?, deletedBy? }',
    );
  });

  it('copies the fields of the table and nothing else', () => {
    expect(copyMessage({ ...record, extra: 1 } as typeof record)).toEqual(record);
  });

  it('compares every field of the table', () => {
    for (const name of Object.keys(MESSAGE_FIELDS)) {
      const changed = { ...record, [name]: name === 'ts' ? 1 : 'other' };
      expect(sameMessage(record, changed), name).toBe(false);
    }
    expect(sameMessage(record, { ...record })).toBe(true);
  });

  it('derives everything from the table, so an optional field is one row', () => {
    const model = messageModel({
      ...MESSAGE_FIELDS,
      reactions: { required: false, immutable: true, valid: (v) => Array.isArray(v) },
    });
    const withReactions = future({ ...record, reactions: ['f1', 'f2'] });
    expect(model.shape).toBe(
      '{ id, author, text, ts, files?, mentions?, editedAt?, deletedAt?, deletedBy?, reactions? }',
    );
    expect(model.problem(record)).toBeNull();
    expect(model.problem(withReactions)).toBeNull();
    expect(model.problem({ ...record, reactions: 'f1' })).toMatch(/reactions/);
    expect(model.copy(withReactions)).toEqual(withReactions);
    expect(model.same(withReactions, future({ ...withReactions, reactions: ['f1', 'f2'] }))).toBe(true);
    expect(model.same(withReactions, future({ ...withReactions, reactions: ['f1'] }))).toBe(false);
    expect(model.changedImmutable(withReactions, future({ ...withReactions, reactions: ['f1'] }))).toEqual([
      'reactions',
    ]);
    expect(model.changedImmutable(withReactions, { ...withReactions, text: 'edited' })).toEqual([]);
  });

  it('says why a text cannot be a message', () => {
    expect(textProblem('  \n ')).toBe('empty');
    expect(textProblem('x'.repeat(MAX_MESSAGE_LENGTH + 1))).toBe('too_long');
    expect(textProblem('x'.repeat(MAX_MESSAGE_LENGTH))).toBeNull();
  });
});
