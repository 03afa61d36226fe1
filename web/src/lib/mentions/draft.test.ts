import { describe, expect, it } from 'vitest';
import { activeQuery, decodeToDraft, encodeDraft, insertPick, menuKey } from './draft.js';

describe('mention drafts', () => {
  it('finds the « @que » being typed before the caret, and nothing inside a word or an address', () => {
    expect(activeQuery('Bonjour @cla', 12)).toEqual({ start: 8, query: 'cla' });
    expect(activeQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(activeQuery('écrire à jean@exemple.fr', 24)).toBeNull();
    expect(activeQuery('Bonjour @claire et', 18)).toBeNull();
  });

  it('inserts the picked name and turns it into a user id when sent, keeping other @ as typed', () => {
    const typed = 'Merci @cla';
    const { text, caret } = insertPick(typed, 6, typed.length, 'Claire Martin');
    expect(text).toBe('Merci @Claire Martin ');
    expect(caret).toBe(text.length);
    const picks = [
      { label: 'Claire Martin', userId: 'u1claire' },
      { label: 'Claire', userId: 'u2claire' },
    ];
    expect(encodeDraft(`${text}et @Claire, voir @twitter`, picks)).toBe(
      'Merci <@u1claire> et <@u2claire>, voir @twitter',
    );
  });

  it('turns a stored text back into a draft for editing, and back again unchanged', () => {
    const names: Record<string, string> = { u1claire: 'Claire Martin', all: 'tous' };
    const stored = '<@u1claire> et <@all> : réunion';
    const { draft, picks } = decodeToDraft(stored, (id) => names[id]);
    expect(draft).toBe('@Claire Martin et @tous : réunion');
    expect(encodeDraft(draft, picks)).toBe(stored);
  });
});

describe('menuKey', () => {
  const key = (k: string, more: { shiftKey?: boolean; isComposing?: boolean } = {}) =>
    menuKey({ key: k, shiftKey: false, isComposing: false, ...more });

  it('moves with the arrows, picks with Enter or Tab, closes with Escape', () => {
    expect([key('ArrowDown'), key('ArrowUp'), key('Enter'), key('Tab'), key('Escape')]).toEqual([
      'down',
      'up',
      'choose',
      'choose',
      'close',
    ]);
  });

  it('leaves Shift+Enter, an IME confirmation and other keys to the box', () => {
    expect(key('Enter', { shiftKey: true })).toBeNull();
    expect(key('Enter', { isComposing: true })).toBeNull();
    expect(key('a')).toBeNull();
  });
});
