import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../testing/sync.js';
import { addMessage } from './messages.js';
import { listPins, pin, unpin } from './pins.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

describe('pins', () => {
  it('lists pinned messages oldest pin first, with who pinned them', () => {
    const doc = new Y.Doc();
    const a = addMessage(doc, { author: 'alice', text: 'adresse du client', now: T0 });
    const b = addMessage(doc, { author: 'bob', text: 'code de la porte', now: T0 + 1 });
    pin(doc, b.id, 'alice', T0 + 10);
    pin(doc, a.id, 'bob', T0 + 20);
    expect(listPins(doc)).toEqual([
      { messageId: b.id, by: 'alice', at: T0 + 10 },
      { messageId: a.id, by: 'bob', at: T0 + 20 },
    ]);
  });

  it('keeps the first pin when a message is pinned again, and forgets it once unpinned', () => {
    const doc = new Y.Doc();
    const m = addMessage(doc, { author: 'alice', text: 'important', now: T0 });
    pin(doc, m.id, 'alice', T0 + 1);
    pin(doc, m.id, 'bob', T0 + 2);
    expect(listPins(doc)).toEqual([{ messageId: m.id, by: 'alice', at: T0 + 1 }]);
    unpin(doc, m.id);
    expect(listPins(doc)).toEqual([]);
  });

  it('shows the same pins on every replica after an offline pin and a concurrent unpin of another message', () => {
    const r = new ReplicaSet(2);
    const [alice, bob] = r.docs;
    const a = addMessage(alice, { author: 'alice', text: 'un', now: T0 });
    const b = addMessage(alice, { author: 'alice', text: 'deux', now: T0 + 1 });
    pin(alice, a.id, 'alice', T0 + 2);
    r.flush();
    r.setOnline(1, false);
    pin(bob, b.id, 'bob', T0 + 3);
    unpin(alice, a.id);
    r.setOnline(1, true);
    r.flush();
    expect(listPins(alice)).toEqual([{ messageId: b.id, by: 'bob', at: T0 + 3 }]);
    expect(listPins(bob)).toEqual(listPins(alice));
  });
});
