import { describe, expect, it } from 'vitest';
import type { SearchMessage } from './discussion-index.js';
import { MAX_EXPANSIONS } from './engine.js';
import { SearchIndex } from './search-index.js';

const T0 = new Date(2026, 10, 2, 9, 0).getTime();
let next = 0;
const msg = (text: string, ts = T0 - next * 60_000): SearchMessage => ({
  id: `m${String(next++).padStart(5, '0')}`,
  author: 'claire',
  text,
  ts,
});

function indexOf(texts: string[]): { index: SearchIndex; messages: SearchMessage[] } {
  const messages = texts.map((t) => msg(t));
  const index = new SearchIndex();
  index.replace('d', messages, []);
  return { index, messages };
}

const found = (index: SearchIndex, text: string, limit = 30) =>
  index.search({ text, now: T0, limit }).map((h) => h.messageId);

describe('query execution', () => {
  it('matches only the word being typed as a prefix; the words before it are finished', () => {
    const { index, messages } = indexOf(['Réunion de l’équipe', 'Réunion du comité']);
    expect(found(index, 'reunion equ')).toEqual([messages[0].id]);
    expect(found(index, 'equ reunion')).toEqual([]);
    // A space after it: the word is finished too.
    expect(found(index, 'equ ')).toEqual([]);
    expect(found(index, 'equ')).toEqual([messages[0].id]);
  });

  it('tolerates typos only when exact and prefix matches find fewer results than asked', () => {
    const { index, messages } = indexOf(['La facture de mars', 'La facture d’avril', 'La factura de mai']);
    const [mars, avril, mai] = messages.map((m) => m.id);
    expect(found(index, 'facture', 2).sort()).toEqual([mars, avril].sort());
    expect(found(index, 'facture', 10)).toContain(mai);
    expect(found(index, 'facture ', 10).slice(0, 2).sort()).toEqual([mars, avril].sort());
  });

  it('expands a prefix to the closest completions, a bounded number of them', () => {
    const words = Array.from({ length: MAX_EXPANSIONS + 10 }, (_, i) => `pro${'x'.repeat(i)}`);
    const { index, messages } = indexOf(words);
    const hits = found(index, 'pro', 100);
    expect(hits).toHaveLength(MAX_EXPANSIONS + 1); // « pro » itself and the closest completions
    expect(hits).toContain(messages[MAX_EXPANSIONS].id);
    expect(hits).not.toContain(messages[MAX_EXPANSIONS + 1].id);
  });

  it('keeps the best results only (top-k), in the same order as ranking them all', () => {
    const vocabulary = ['budget', 'devis', 'réunion', 'facture', 'client', 'projet', 'planning'];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const texts = Array.from({ length: 600 }, () =>
      Array.from(
        { length: 3 + Math.floor(random() * 8) },
        () => vocabulary[Math.floor(random() * vocabulary.length)],
      ).join(' '),
    );
    const { index } = indexOf(texts);
    for (const q of ['budget', 'dev', 'reunion facture', 'client proj']) {
      const all = index.search({ text: q, now: T0, limit: 10_000 });
      expect(all.length, q).toBeGreaterThan(10);
      expect(index.search({ text: q, now: T0, limit: 10 }), q).toEqual(all.slice(0, 10));
      for (let i = 1; i < all.length; i++) expect(all[i - 1].score).toBeGreaterThanOrEqual(all[i].score);
    }
  });

  it('after a cold start, takes new, edited and deleted messages like an index built fresh', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `Point budget ${i % 13} devis client ${i % 5}`);
    const { index, messages } = indexOf(texts);
    const { index: restored } = SearchIndex.restore(
      structuredClone(index.snapshot()),
      [...index.units.values()].map((u) => structuredClone(u.toRecord())),
    );
    const added = msg('Nouveau devis budget urgent', T0);
    const edited = { ...messages[3], text: 'Point reporté au budget suivant', editedAt: T0 };
    const change = { upserts: [added, edited], deletes: [messages[7].id] };
    restored.apply('d', change);
    const fresh = new SearchIndex();
    fresh.replace('d', [...messages.filter((m, i) => i !== 3 && i !== 7), edited, added], []);
    for (const q of ['budget', 'devis urgent', 'reporte', 'client 4', 'poin']) {
      const a = restored.search({ text: q, now: T0, limit: 50 });
      const b = fresh.search({ text: q, now: T0, limit: 50 });
      expect(a.map((h) => h.messageId).sort(), q).toEqual(b.map((h) => h.messageId).sort());
    }
    expect(found(restored, 'point 7')).not.toContain(messages[7].id);
    expect(found(restored, 'reporte')).toEqual([messages[3].id]);
  });
});
