import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LastMessageWatch } from './last-message.js';
import { messagesMap } from './schema.js';

const put = (doc: Y.Doc, id: string, ts: number, text = id) =>
  messagesMap(doc).set(id, { id, author: 'u1', text, ts });

describe('LastMessageWatch', () => {
  it('starts from the document and follows the message that sorts last', () => {
    const doc = new Y.Doc();
    put(doc, 'b', 20);
    put(doc, 'a', 10);
    const watch = new LastMessageWatch(doc);
    expect(watch.current?.id).toBe('b');
    expect(watch.takeChange()).toBeUndefined();
    put(doc, 'c', 15); // written later, sorts earlier: the preview stays on b
    expect(watch.takeChange()?.id).toBe('b');
    put(doc, 'd', 30);
    expect(watch.takeChange()?.id).toBe('d');
    expect(watch.takeChange()).toBeUndefined();
  });

  it('looks again when the last message is removed or rewritten', () => {
    const doc = new Y.Doc();
    put(doc, 'a', 10);
    put(doc, 'b', 20);
    const watch = new LastMessageWatch(doc);
    put(doc, 'b', 20, 'edited');
    expect(watch.takeChange()?.text).toBe('edited');
    messagesMap(doc).delete('b');
    expect(watch.takeChange()?.id).toBe('a');
    messagesMap(doc).delete('a');
    expect(watch.takeChange()).toBeNull();
  });

  it('stops following when stopped', () => {
    const doc = new Y.Doc();
    const watch = new LastMessageWatch(doc);
    watch.stop();
    put(doc, 'a', 10);
    expect(watch.current).toBeNull();
    expect(watch.takeChange()).toBeUndefined();
  });
});
