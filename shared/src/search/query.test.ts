import { describe, expect, it } from 'vitest';
import { nameMatches, parseDay, parseQuery, resolveFilters } from './query.js';

const day = (y: number, m: number, d: number) => new Date(y, m - 1, d).getTime();

describe('query filters', () => {
  it('reads de: and from: as the author, keeping the words', () => {
    for (const key of ['de', 'from', 'De']) {
      const q = parseQuery(`devis ${key}:françois`);
      expect(q.from).toEqual(['françois']);
      expect(q.text).toBe('devis');
    }
    expect(parseQuery('de:"François Dupont" devis').from).toEqual(['François Dupont']);
  });

  it('reads dans: and in: as the discussion', () => {
    expect(parseQuery('dans:compta facture').in).toEqual(['compta']);
    expect(parseQuery('in:"Équipe commerciale"').in).toEqual(['Équipe commerciale']);
  });

  it('reads a:fichier and has:file, a:epingle (with or without accents) and has:pin', () => {
    expect(parseQuery('a:fichier').hasFile).toBe(true);
    expect(parseQuery('has:file').hasFile).toBe(true);
    expect(parseQuery('a:epingle').hasPin).toBe(true);
    expect(parseQuery('a:épinglé').hasPin).toBe(true);
    expect(parseQuery('has:pin').hasPin).toBe(true);
    expect(parseQuery('has:pin').hasFile).toBe(false);
  });

  it('reads avant:/before: as before that day and apres:/après:/after: as after it', () => {
    expect(parseQuery('avant:2026-11-03').before).toBe(day(2026, 11, 3));
    expect(parseQuery('before:2026-11-03').before).toBe(day(2026, 11, 3));
    for (const key of ['apres', 'après', 'after'])
      expect(parseQuery(`${key}:2026-11-03`).after).toBe(day(2026, 11, 4));
  });

  it('keeps what it does not understand as words, and ignores a key still being typed', () => {
    expect(parseQuery('avant:hier').text).toBe('avant:hier');
    expect(parseQuery('a:b').text).toBe('a:b');
    expect(parseQuery('http://exemple.fr').text).toBe('http://exemple.fr');
    const typing = parseQuery('devis de:');
    expect(typing.text).toBe('devis');
    expect(typing.from).toEqual([]);
  });

  it('refuses impossible dates', () => {
    expect(parseDay('2026-02-30')).toBeNull();
    expect(parseDay('2026-13-01')).toBeNull();
    expect(parseDay('2026-02-28')).toBe(day(2026, 2, 28));
  });

  it('resolves names to ids by the start of any word, ignoring accents; no match means nobody', () => {
    const users = [
      { id: 'u1', name: 'François Dupont', username: 'francois.dupont' },
      { id: 'u2', name: 'Claire Martin', username: 'claire.martin' },
    ];
    const discussions = [
      { id: 'd1', title: 'Comptabilité', members: ['Claire Martin'] },
      { id: 'd2', title: 'François Dupont', members: ['François Dupont', 'Claire Martin'] },
    ];
    expect(resolveFilters(parseQuery('de:fran'), users, discussions).authors).toEqual(new Set(['u1']));
    expect(resolveFilters(parseQuery('de:dupont'), users, discussions).authors).toEqual(new Set(['u1']));
    expect(resolveFilters(parseQuery('dans:compta'), users, discussions).discussions).toEqual(
      new Set(['d1']),
    );
    expect(resolveFilters(parseQuery('de:zoé'), users, discussions).authors).toEqual(new Set());
    expect(resolveFilters(parseQuery('devis'), users, discussions)).toEqual({});
    expect(nameMatches('elo', ['Élodie Bernard'])).toBe(true);
  });
});
