import { describe, expect, it } from 'vitest';
import { foldTerm, processTerm, queryTerms, tokenize } from './fold.js';
import { snippet } from './snippet.js';

const indexed = (text: string) => tokenize(text).filter((t) => processTerm(t) !== null);

describe('French folding', () => {
  it('removes accents and case, precomposed or decomposed alike', () => {
    expect(foldTerm('Réunion')).toBe('reunion');
    expect(foldTerm('ÉLODIE')).toBe('elodie');
    expect(foldTerm('Re\u0301union')).toBe(foldTerm('R\u00e9union'));
    expect(foldTerm('ça côté où naïf')).toBe('ca cote ou naif');
  });

  it('spells ligatures out: cœur is coeur, Lætitia is laetitia', () => {
    expect(foldTerm('cœur')).toBe('coeur');
    expect(foldTerm('Œuvre')).toBe('oeuvre');
    expect(foldTerm('Lætitia')).toBe('laetitia');
  });
});

describe('tokenizer', () => {
  it('splits elisions at the apostrophe, straight or typographic, and drops the article', () => {
    expect(indexed("l'équipe")).toEqual(['equipe']);
    expect(indexed('l’équipe d’accueil')).toEqual(['equipe', 'accueil']);
    expect(indexed("qu'il s'agit jusqu'à")).toEqual(['agit']);
  });

  it('indexes a hyphenated word whole, by its parts and as one word', () => {
    expect(indexed('un porte-monnaie')).toEqual(['porte', 'monnaie', 'portemonnaie']);
    expect(indexed('Saint-Étienne')).toEqual(['saint', 'etienne', 'saintetienne']);
  });

  it('drops French stop words and punctuation', () => {
    expect(indexed('Le devis de la semaine, et les factures ?')).toEqual(['devis', 'semaine', 'factures']);
    expect(indexed('« Réunion » : 14 h — salle B…')).toEqual(['reunion', '14', 'h', 'salle', 'b']);
  });

  it('keeps a lone stop word being typed (it may start a longer word), not inside a longer query', () => {
    expect(queryTerms('de')).toEqual(['de']);
    expect(queryTerms('de ')).toEqual([]);
    expect(queryTerms('réunion de')).toEqual(['reunion']);
  });
});

describe('snippet', () => {
  it('marks the matched words as written, accents included', () => {
    const parts = snippet("Compte rendu de la réunion de l'équipe", new Set(['reunion', 'equipe']));
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['réunion', 'équipe']);
    expect(parts.map((p) => p.text).join('')).toBe("Compte rendu de la réunion de l'équipe");
  });

  it('starts near the first match in a long message, with ellipses', () => {
    const text = `${'bla '.repeat(80)}le devis signé ${'fin '.repeat(80)}`;
    const parts = snippet(text, new Set(['devis']));
    const joined = parts.map((p) => p.text).join('');
    expect(joined.startsWith('… ')).toBe(true);
    expect(joined.endsWith(' …')).toBe(true);
    expect(parts.find((p) => p.hit)?.text).toBe('devis');
    expect(joined.length).toBeLessThan(200);
  });
});
