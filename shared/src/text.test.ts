import { describe, expect, it } from 'vitest';
import { findPeople, fold, matchesQuery, preview } from './text.js';

describe('fold', () => {
  it('lower-cases and strips accents so names match however they are typed', () => {
    expect(fold('François')).toBe('francois');
    expect(fold('ÉLODIE')).toBe('elodie');
    expect(fold('Œuvre à côté')).toBe('oeuvre a cote');
  });

  it('spells ligatures out: "coeur" finds « cœur », "laetitia" « Lætitia »', () => {
    expect(fold('cœur')).toBe('coeur');
    expect(fold('Lætitia')).toBe('laetitia');
    expect(matchesQuery('Sœur Cœur-Joie', 'soeur coeur')).toBe(true);
  });

  it('folds precomposed and decomposed accents the same way', () => {
    expect(fold('E\u0301lodie')).toBe(fold('\u00c9lodie'));
  });
});

describe('matchesQuery', () => {
  it('finds François by "francois" and Élodie by "elodie" or "ÉLODIE"', () => {
    expect(matchesQuery('François Dupont', 'francois')).toBe(true);
    expect(matchesQuery('Élodie Bernard', 'elodie')).toBe(true);
    expect(matchesQuery('elodie.bernard', 'ÉLODIE')).toBe(true);
  });

  it('needs every word of the query, in any order', () => {
    expect(matchesQuery('François Dupont', 'dupont fran')).toBe(true);
    expect(matchesQuery('François Dupont', 'francois martin')).toBe(false);
  });

  it('matches everything with an empty or blank query', () => {
    expect(matchesQuery('Claire Martin', '')).toBe(true);
    expect(matchesQuery('Claire Martin', '   ')).toBe(true);
  });
});

describe('preview', () => {
  it('puts a multi-line message on one line', () => {
    expect(preview('Bonjour,\n\n  voici   le devis.\n')).toBe('Bonjour, voici le devis.');
  });

  it('cuts a long message with an ellipsis within the limit', () => {
    const p = preview('a'.repeat(300), 120);
    expect(p).toHaveLength(120);
    expect(p.endsWith('…')).toBe(true);
    expect(preview('court', 120)).toBe('court');
  });
});

describe('findPeople', () => {
  const people = [
    { id: 1, displayName: 'François Dupont', username: 'fdupont' },
    { id: 2, displayName: 'Élodie Bernard', username: 'ebernard' },
    { id: 3, displayName: 'Claire Martin', username: 'cmartin.ext' },
  ];

  it('finds people by their name without the accents, or by their username', () => {
    expect(findPeople(people, 'francois').map((p) => p.id)).toEqual([1]);
    expect(findPeople(people, 'ELODIE b').map((p) => p.id)).toEqual([2]);
    expect(findPeople(people, '.ext').map((p) => p.id)).toEqual([3]);
    expect(findPeople(people, 'martin dupont')).toEqual([]);
  });

  it('keeps everyone, in order, for a blank query', () => {
    expect(findPeople(people, '  ').map((p) => p.id)).toEqual([1, 2, 3]);
  });
});
