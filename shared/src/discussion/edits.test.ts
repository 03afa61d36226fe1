import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ReplicaSet } from '../testing/sync.js';
import { deleteMessage, editMessage, isDeleted } from './edits.js';
import { mentionToken } from './mentions.js';
import { addMessage, listMessages } from './messages.js';
import { listPins, pin } from './pins.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

/** Does any byte sequence of the text remain in the encoded document? */
const holds = (doc: Y.Doc, text: string) =>
  Buffer.from(Y.encodeStateAsUpdate(doc)).includes(Buffer.from(text, 'utf8'));

describe('editing and deleting', () => {
  it('edits my message in place: same id and time, new text and mentions, marked edited, on every replica', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const m = addMessage(alice, { author: 'alice', text: 'rdv 10 h', now: T0 });
    r.flush();
    const edited = editMessage(alice, {
      id: m.id,
      author: 'alice',
      text: `rdv 11 h ${mentionToken('bob12345')}`,
      now: T0 + 60_000,
    });
    r.flush();
    expect(listMessages(bob)).toEqual([
      { ...m, text: `rdv 11 h ${mentionToken('bob12345')}`, mentions: ['bob12345'], editedAt: T0 + 60_000 },
    ]);
    expect(edited?.ts).toBe(m.ts);
    expect(editMessage(bob, { id: m.id, author: 'bob', text: 'pirate', now: T0 })).toBeNull();
  });

  it('leaves a tombstone without the text, unpins it, and the old text is gone from the document', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const m = addMessage(alice, { author: 'alice', text: 'mot de passe: hunter2', now: T0 });
    pin(alice, m.id, 'alice', T0 + 1);
    r.flush();
    expect(holds(bob, 'hunter2')).toBe(true);
    expect(deleteMessage(bob, { id: m.id, by: 'bob', now: T0 + 2 })).toBe(true);
    r.flush();
    for (const doc of [alice, bob]) {
      const [tomb] = listMessages(doc);
      expect(isDeleted(tomb)).toBe(true);
      expect(tomb).toEqual({
        id: m.id,
        author: 'alice',
        text: '',
        ts: m.ts,
        deletedAt: T0 + 2,
        deletedBy: 'bob',
      });
      expect(listPins(doc)).toEqual([]);
      expect(holds(doc, 'hunter2')).toBe(false);
    }
  });

  it('removes the previous text of an edited message from the document too', () => {
    const doc = new Y.Doc();
    const m = addMessage(doc, { author: 'alice', text: 'numéro 0612345678', now: T0 });
    editMessage(doc, { id: m.id, author: 'alice', text: 'numéro en privé', now: T0 + 1 });
    expect(holds(doc, '0612345678')).toBe(false);
  });
});
