import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MESSAGE_FIELDS,
  addMessage,
  messageModel,
  messagesMap,
  setArchived,
  setPurgedBefore,
  type MessageRecord,
} from '@palabre/shared/discussion/index';
import { pendingMessages } from '@palabre/shared/sync/index';
import { MAX_READD_ROLLBACKS, applyReadd, planReadd } from './readd.js';
import type { Readd } from './storage.js';

const ME = 'me00000000000000000a';

/** Through localStorage and back, as between the refusal and the rebuilt document. */
const stored = (readd: Readd): Readd => JSON.parse(JSON.stringify(readd)) as Readd;

/** My messages (text, time) written offline into a document the server refused, and the plan stored for them. */
function refusedWith(...mine: [text: string, now: number][]): { messages: MessageRecord[]; plan: Readd } {
  const refused = new Y.Doc();
  const messages = mine.map(([text, now]) => addMessage(refused, { author: ME, text, now }));
  return { messages, plan: stored(planReadd(null, pendingMessages(refused, ME, undefined), ME, true)) };
}

describe('rollback re-add', () => {
  it('does not write back what the server would refuse: older than the last purge, or into an archive', () => {
    const { plan, messages } = refusedWith(['written offline long ago', 1_000], ['recent', 9_000]);
    const [old, recent] = messages;

    const purged = new Y.Doc();
    setPurgedBefore(purged, 5_000);
    applyReadd(purged, plan);
    expect(messagesMap(purged).has(old.id)).toBe(false);
    expect(messagesMap(purged).get(recent.id)).toEqual(recent);

    const archived = new Y.Doc();
    setArchived(archived, 10_000);
    expect(applyReadd(archived, plan)).toEqual({ messages: [], rollbacks: 1 });
    expect(messagesMap(archived).size).toBe(0);
  });

  it('writes my pending messages again into the rebuilt document, same id, time and text', () => {
    const { plan, messages } = refusedWith(['first', 1_000], ['second', 2_000]);
    const [first, second] = messages;

    const rebuilt = new Y.Doc();
    const next = applyReadd(rebuilt, plan);
    expect(messagesMap(rebuilt).get(first.id)).toEqual(first);
    expect(messagesMap(rebuilt).get(second.id)).toEqual(second);
    expect(next).toEqual({ messages: [], rollbacks: 1 });
  });

  it('keeps a field added to the message record in the future (the model is the only copier)', () => {
    // A release adds `editedAt` to the record: one row in the table, nothing else.
    const future = messageModel({
      ...MESSAGE_FIELDS,
      editedAt: { required: false, immutable: false, valid: (v) => typeof v === 'number' },
    });
    const edited = { id: 'abcdefghjk0123456789', author: ME, text: 'fixed typo', ts: 5_000, editedAt: 6_000 };
    const plan = stored(planReadd(null, [edited as MessageRecord], ME, true, future));
    expect(plan.messages).toEqual([edited]);

    const rebuilt = new Y.Doc();
    applyReadd(rebuilt, plan, future);
    expect(messagesMap(rebuilt).get(edited.id)).toEqual(edited);
  });

  it('does not overwrite a message the server already has', () => {
    const rebuilt = new Y.Doc();
    const kept = addMessage(rebuilt, { author: ME, text: 'as the server has it', now: 1_000 });
    applyReadd(rebuilt, { messages: [{ ...kept, text: 'my stale copy' }], rollbacks: 1 });
    expect(messagesMap(rebuilt).get(kept.id)?.text).toBe('as the server has it');
  });

  it('carries over what the previous refusal had not re-added yet', () => {
    const a = { id: 'aaaaaaaaaa0000000000', author: ME, text: 'a', ts: 1_000 };
    const b = { id: 'bbbbbbbbbb0000000000', author: ME, text: 'b', ts: 2_000 };
    const plan = planReadd({ messages: [a], rollbacks: 1 }, [b], ME, true);
    expect(plan).toEqual({ messages: [a, b], rollbacks: 2 });
  });

  it(`gives up after ${MAX_READD_ROLLBACKS} refusals in a row, so a bad message cannot loop forever`, () => {
    const a = { id: 'aaaaaaaaaa0000000000', author: ME, text: 'a', ts: 1_000 };
    const plan = planReadd({ messages: [a], rollbacks: MAX_READD_ROLLBACKS }, [a], ME, true);
    expect(plan).toEqual({ messages: [], rollbacks: MAX_READD_ROLLBACKS + 1 });
  });
});
