import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage } from './messages.js';
import {
  MENTION_ALL,
  matchCandidates,
  mayMentionAll,
  mentionToken,
  mentions,
  parseMentions,
  splitMentions,
} from './mentions.js';

describe('mentions', () => {
  it('stores mentions as user ids, in the text and in the message’s list', () => {
    const doc = new Y.Doc();
    const m = addMessage(doc, {
      author: 'alice',
      text: `${mentionToken('bob12345')} et ${mentionToken('carol123')}, puis ${mentionToken('bob12345')}`,
      now: 1,
    });
    expect(m.mentions).toEqual(['bob12345', 'carol123']);
    expect(parseMentions('pas de mention, <@ABC> non plus')).toEqual([]);
    expect(addMessage(doc, { author: 'alice', text: 'rien', now: 2 }).mentions).toBeUndefined();
  });

  it('cuts a text into plain runs and mentions, markup left as text', () => {
    expect(splitMentions(`<b>salut</b> ${mentionToken('bob12345')} !`)).toEqual([
      { kind: 'text', text: '<b>salut</b> ' },
      { kind: 'mention', userId: 'bob12345' },
      { kind: 'text', text: ' !' },
    ]);
  });

  it('« @tous » mentions everyone but its author', () => {
    const m = { author: 'alice', mentions: [MENTION_ALL] };
    expect(mentions(m, 'bob')).toBe(true);
    expect(mentions(m, 'alice')).toBe(false);
    expect(mentions({ author: 'alice' }, 'bob')).toBe(false);
  });

  it('allows « @tous » to owners and moderators of a group only', () => {
    expect(mayMentionAll('owner', 'group')).toBe(true);
    expect(mayMentionAll('moderator', 'group')).toBe(true);
    expect(mayMentionAll('member', 'group')).toBe(false);
    expect(mayMentionAll('owner', 'direct')).toBe(false);
  });

  it('proposes members whose name starts with what I type, accents and case ignored', () => {
    const people = [
      { id: '1', name: 'Élodie Bernard', username: 'elodie.bernard' },
      { id: '2', name: 'François Dupont', username: 'francois.dupont' },
      { id: '3', name: 'Claire Martin', username: 'claire.martin' },
      { id: '4', name: 'Karim Haddad', username: 'karim.haddad' },
    ];
    expect(matchCandidates('elo', people).map((p) => p.id)).toEqual(['1']);
    expect(matchCandidates('FRANC', people).map((p) => p.id)).toEqual(['2']);
    expect(matchCandidates('mar', people).map((p) => p.id)).toEqual(['3']);
    expect(matchCandidates('', people).map((p) => p.id)).toEqual(['3', '1', '2', '4']);
    expect(matchCandidates('zz', people)).toEqual([]);
  });
});
