import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, markRead } from '@palabre/shared/discussion/index';
import { sidebarFacts } from './sidebar-facts.js';

const ME = 'me00000000000000000a';
const OTHER = 'other000000000000000';

describe('sidebar facts', () => {
  it('an empty discussion has nothing unread, nothing waiting and no last message', () => {
    expect(sidebarFacts(new Y.Doc(), ME, 0, 0)).toEqual({ unread: 0, mentions: 0, pending: 0, last: null });
  });

  it('counts messages of others after my read cursor, and shows the last one shortened', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: OTHER, text: 'read already', now: 1 });
    markRead(doc, ME);
    addMessage(doc, { author: OTHER, text: 'new', now: 2 });
    addMessage(doc, { author: OTHER, text: `long ${'x'.repeat(300)}`, now: 3 });
    const facts = sidebarFacts(doc, ME, 0, 0);
    expect(facts.unread).toBe(2);
    expect(facts.last).toMatchObject({ author: OTHER, ts: 3 });
    expect(facts.last!.text.length).toBeLessThanOrEqual(120);
  });

  it('counts messages kept aside for a re-add as waiting too', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: ME, text: 'mine', now: 1 });
    expect(sidebarFacts(doc, ME, 1, 2)).toMatchObject({ unread: 0, pending: 3 });
  });

  it('counts the unread messages that mention me apart', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: OTHER, text: `<@${ME}> tu as vu ?`, now: 1 });
    addMessage(doc, { author: OTHER, text: 'rien pour toi', now: 2 });
    expect(sidebarFacts(doc, ME, 0, 0)).toMatchObject({ unread: 2, mentions: 1 });
  });
});
