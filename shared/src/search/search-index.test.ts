import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addMessage } from '../discussion/messages.js';
import { pin } from '../discussion/pins.js';
import { messagesMap } from '../discussion/schema.js';
import { SEARCH_FORMAT } from './discussion-index.js';
import { coverageOf, pinnedIds, searchChanges, searchMessages } from './from-doc.js';
import { parseQuery, resolveFilters } from './query.js';
import { SearchIndex, type SearchRequest } from './search-index.js';

const T0 = new Date(2026, 10, 2, 9, 0).getTime();
const DAY = 86_400_000;

const users = [
  { id: 'claire', name: 'Claire Martin', username: 'claire.martin' },
  { id: 'francois', name: 'François Dupont', username: 'francois.dupont' },
  { id: 'elodie', name: 'Élodie Bernard', username: 'elodie.bernard' },
];
const discussions = [
  { id: 'compta', title: 'Comptabilité', members: ['Claire Martin', 'François Dupont'] },
  { id: 'direct', title: 'Élodie Bernard', members: ['Claire Martin', 'Élodie Bernard'] },
];

/** Two discussion documents written through the shared functions. */
function fixture() {
  const compta = new Y.Doc();
  const direct = new Y.Doc();
  const m = {
    reunion: addMessage(compta, { author: 'francois', text: 'Réunion de l’équipe jeudi à 10 h', now: T0 }),
    coeur: addMessage(compta, {
      author: 'claire',
      text: 'Le cœur du sujet : la facture de mars',
      now: T0 + DAY,
    }),
    devis: addMessage(direct, {
      author: 'elodie',
      text: 'Voici le devis signé pour Saint-Étienne',
      now: T0 + 2 * DAY,
    }),
    photo: addMessage(direct, { author: 'claire', text: 'La photo du chantier', now: T0 + 3 * DAY }),
  };
  // A file on the photo message, as the files feature records it.
  messagesMap(direct).set(m.photo.id, {
    ...m.photo,
    files: [
      { id: 'f0000000000000000001', name: 'chantier-rue-Victor-Hugo.jpg', type: 'image/jpeg', size: 1024 },
    ],
  } as never);
  pin(compta, m.coeur.id, 'claire', T0 + 4 * DAY);
  const index = new SearchIndex();
  const docs = { compta, direct };
  for (const [id, doc] of Object.entries(docs)) index.replace(id, searchMessages(doc), pinnedIds(doc));
  return { docs, m, index };
}

const ids = (index: SearchIndex, request: SearchRequest | string) =>
  index.search(typeof request === 'string' ? { text: request, now: T0 } : request).map((h) => h.messageId);

/** The search box: words and filters, resolved against the directory and discussion list. */
function query(index: SearchIndex, input: string) {
  const q = parseQuery(input);
  const { authors, discussions: inDiscussions } = resolveFilters(q, users, discussions);
  return ids(index, {
    text: q.text,
    now: T0,
    filters: {
      authors,
      discussions: inDiscussions,
      hasFile: q.hasFile,
      hasPin: q.hasPin,
      before: q.before,
      after: q.after,
    },
  });
}

describe('search: words', () => {
  it('ignores accents, case and ligatures: reunion, coeur, equipe, saint-etienne', () => {
    const { index, m } = fixture();
    expect(ids(index, 'reunion')).toEqual([m.reunion.id]);
    expect(ids(index, 'RÉUNION')).toEqual([m.reunion.id]);
    expect(ids(index, 'coeur')).toEqual([m.coeur.id]);
    expect(ids(index, 'equipe')).toEqual([m.reunion.id]);
    expect(ids(index, 'saint-etienne')).toEqual([m.devis.id]);
    expect(ids(index, 'saintetienne')).toEqual([m.devis.id]);
  });

  it('matches a word being typed, and tolerates typos', () => {
    const { index, m } = fixture();
    expect(ids(index, 'réu')).toEqual([m.reunion.id]);
    expect(ids(index, 'fact')).toEqual([m.coeur.id]);
    expect(ids(index, 'reunoin')).toEqual([m.reunion.id]);
    expect(ids(index, 'facturr')).toEqual([m.coeur.id]);
    expect(ids(index, 'zzz')).toEqual([]);
  });

  it('needs every word of a multi-word query', () => {
    const { index, m } = fixture();
    expect(ids(index, 'devis signé')).toEqual([m.devis.id]);
    expect(ids(index, 'devis facture')).toEqual([]);
  });

  it('finds files by name, and cuts a snippet with the matched words marked', () => {
    const { index, m } = fixture();
    expect(ids(index, 'victor hugo')).toEqual([m.photo.id]);
    const [hit] = index.search({ text: 'reunoin equipe', now: T0 });
    expect(hit.snippet.filter((p) => p.hit).map((p) => p.text)).toEqual(['Réunion', 'équipe']);
    expect(hit).toMatchObject({ discussionId: 'compta', author: 'francois', ts: m.reunion.ts });
  });

  it('puts the more recent of two equally good matches first', () => {
    const doc = new Y.Doc();
    const old = addMessage(doc, { author: 'claire', text: 'point budget', now: T0 - 60 * DAY });
    const recent = addMessage(doc, { author: 'claire', text: 'point budget', now: T0 });
    const index = new SearchIndex();
    index.replace('d', searchMessages(doc), []);
    expect(ids(index, 'budget')).toEqual([recent.id, old.id]);
  });
});

describe('search: filters in French and English', () => {
  it('de: / from: keep one author', () => {
    const { index, m } = fixture();
    for (const f of ['de:claire', 'from:claire', 'de:"Claire Martin"', 'from:claire.martin']) {
      expect(query(index, f).sort()).toEqual([m.coeur.id, m.photo.id].sort());
    }
    expect(query(index, 'de:fran reunion')).toEqual([m.reunion.id]);
    expect(query(index, 'from:elodie reunion')).toEqual([]);
    expect(query(index, 'de:personne')).toEqual([]);
  });

  it('dans: / in: keep one discussion', () => {
    const { index, m } = fixture();
    expect(query(index, 'dans:compta').sort()).toEqual([m.reunion.id, m.coeur.id].sort());
    expect(query(index, 'in:elodie devis')).toEqual([m.devis.id]);
    expect(query(index, 'in:compta devis')).toEqual([]);
  });

  it('a:fichier / has:file keep messages with a file', () => {
    const { index, m } = fixture();
    expect(query(index, 'a:fichier')).toEqual([m.photo.id]);
    expect(query(index, 'has:file chantier')).toEqual([m.photo.id]);
    expect(query(index, 'has:file devis')).toEqual([]);
  });

  it('a:epingle / has:pin keep pinned messages', () => {
    const { index, m } = fixture();
    expect(query(index, 'a:epingle')).toEqual([m.coeur.id]);
    expect(query(index, 'has:pin facture')).toEqual([m.coeur.id]);
    expect(query(index, 'has:pin reunion')).toEqual([]);
  });

  it('avant: / before: and apres: / after: keep a date range', () => {
    const { index, m } = fixture();
    // Messages on Nov 2, 3, 4 and 5.
    expect(query(index, 'avant:2026-11-03')).toEqual([m.reunion.id]);
    expect(query(index, 'before:2026-11-04').sort()).toEqual([m.reunion.id, m.coeur.id].sort());
    expect(query(index, 'apres:2026-11-04')).toEqual([m.photo.id]);
    expect(query(index, 'after:2026-11-03 avant:2026-11-05')).toEqual([m.devis.id]);
    expect(query(index, 'after:2026-11-05')).toEqual([]);
  });

  it('filters alone give the most recent matching messages first, as many as asked, from every discussion', () => {
    const index = new SearchIndex();
    // Three discussions whose messages come in no order of time, interleaved between them.
    const all: { id: string; ts: number; author: string }[] = [];
    for (const d of ['a', 'b', 'c']) {
      const list = Array.from({ length: 40 }, (_, i) => ({
        id: `${d}${i}`,
        author: i % 3 === 0 ? 'claire' : 'francois',
        text: `Message ${i}`,
        ts: T0 + ((i * 37 + d.charCodeAt(0) * 11) % 120) * 60_000 + d.charCodeAt(0),
      }));
      index.replace(d, list, []);
      all.push(...list);
    }
    const newest = (keep: (m: (typeof all)[number]) => boolean, n: number) =>
      all
        .filter(keep)
        .sort((x, y) => y.ts - x.ts)
        .slice(0, n)
        .map((m) => m.id);
    const after = T0 + 30 * 60_000;
    expect(ids(index, { text: '', now: T0, limit: 7, filters: { after } })).toEqual(
      newest((m) => m.ts >= after, 7),
    );
    expect(ids(index, { text: '', now: T0, limit: 10, filters: { before: after } })).toEqual(
      newest((m) => m.ts < after, 10),
    );
    expect(ids(index, { text: '', now: T0, limit: 200, filters: { authors: new Set(['claire']) } })).toEqual(
      newest((m) => m.author === 'claire', 200),
    );
  });
});

describe('search: the index follows the documents', () => {
  it('reflects an edit (the old words are gone) and a delete, touching only those entries', () => {
    const { index, docs, m } = fixture();
    messagesMap(docs.compta).set(m.reunion.id, {
      ...m.reunion,
      text: 'Point annulé',
      editedAt: T0 + 5,
    } as never);
    messagesMap(docs.direct).delete(m.devis.id);
    expect(index.apply('compta', searchChanges(docs.compta, [m.reunion.id]))).toBe(1);
    expect(index.apply('direct', searchChanges(docs.direct, [m.devis.id]))).toBe(1);
    expect(ids(index, 'reunion')).toEqual([]);
    expect(ids(index, 'annule')).toEqual([m.reunion.id]);
    expect(ids(index, 'devis')).toEqual([]);
    expect(
      index
        .search({ text: 'annule', now: T0 })[0]
        .snippet.map((p) => p.text)
        .join(''),
    ).toBe('Point annulé');
    // Reading the whole documents again changes nothing more.
    expect(index.replace('compta', searchMessages(docs.compta), pinnedIds(docs.compta))).toBe(0);
    expect(index.replace('direct', searchMessages(docs.direct), pinnedIds(docs.direct))).toBe(0);
  });

  it('hides a message marked deleted in its record', () => {
    const { index, docs, m } = fixture();
    messagesMap(docs.compta).set(m.coeur.id, { ...m.coeur, text: '', deleted: true } as never);
    index.apply('compta', searchChanges(docs.compta, [m.coeur.id]));
    expect(ids(index, 'coeur')).toEqual([]);
    expect(query(index, 'a:epingle')).toEqual([]);
  });

  it('forgets every entry of a removed discussion, in memory and in what it persists', () => {
    const { index, m } = fixture();
    const before = index.snapshot();
    expect(before.index.terms.split('\n')).toContain('devis');
    index.remove('direct');
    expect(ids(index, 'devis')).toEqual([]);
    expect(query(index, 'dans:elodie')).toEqual([]);
    expect(query(index, 'de:elodie')).toEqual([]);
    expect(ids(index, 'reunion')).toEqual([m.reunion.id]);
    expect(index.snapshotDue).toBe(true);
    const after = index.snapshot();
    expect(after.index.terms.split('\n')).not.toContain('devis');
    expect(after.index.groups).not.toContain('direct');
    // An old snapshot that still holds it, restored without its unit: gone too.
    const records = [...index.units.values()].map((u) => u.toRecord());
    const { index: restored } = SearchIndex.restore(before, records);
    expect(ids(restored, 'devis')).toEqual([]);
    expect(restored.snapshotDue).toBe(true);
  });

  it('a deletion, an edit or a removal made while a snapshot is written keeps the next one due', () => {
    const changes: [string, (f: ReturnType<typeof fixture>) => void][] = [
      ['deletion', ({ index, m }) => index.apply('direct', { deletes: [m.devis.id] })],
      [
        'edit',
        ({ index, docs, m }) => {
          messagesMap(docs.direct).set(m.devis.id, {
            ...m.devis,
            text: 'Offre envoyée',
            editedAt: T0 + 5,
          } as never);
          index.replace('direct', searchMessages(docs.direct), pinnedIds(docs.direct));
        },
      ],
      ['removal', ({ index }) => index.remove('direct')],
    ];
    for (const [what, change] of changes) {
      const f = fixture();
      f.index.snapshotStored(f.index.snapshot());
      expect(f.index.snapshotDue, what).toBe(false);
      const writing = f.index.snapshot(); // packed; IndexedDB's write is under way
      change(f);
      f.index.snapshotStored(writing); // that write ends
      expect(f.index.snapshotDue, what).toBe(true);
      const next = f.index.snapshot();
      f.index.snapshotStored(next);
      expect(next.index.terms.split('\n'), what).not.toContain('devis');
      expect(f.index.snapshotDue, what).toBe(false);
    }
  });
});

describe('search: persistence', () => {
  const QUERIES = [
    'reunion',
    'coeur',
    'equipe',
    'devis',
    'annule',
    'nouveau',
    'fact',
    'reunoin',
    'photo',
    'victor',
  ];
  const FILTERS = ['a:epingle', 'a:fichier', 'de:claire', 'dans:compta', 'apres:2026-11-03'];

  it('a persisted then reloaded index answers exactly like a fresh one, indexing only what changed since', () => {
    const { index, docs, m } = fixture();
    for (const [id, doc] of Object.entries(docs)) index.unit(id).setCovered(coverageOf(doc, 3));
    const snapshot = structuredClone(index.snapshot()); // as IndexedDB stores it
    index.snapshotStored(snapshot);
    // After the snapshot: an edit, a delete, a new message, a pin.
    messagesMap(docs.compta).set(m.reunion.id, {
      ...m.reunion,
      text: 'Point annulé',
      editedAt: T0 + 5,
    } as never);
    messagesMap(docs.direct).delete(m.devis.id);
    const fresh = addMessage(docs.direct, { author: 'elodie', text: 'Nouveau devis', now: T0 + 6 * DAY });
    pin(docs.direct, fresh.id, 'elodie', T0 + 7 * DAY);
    for (const [id, doc] of Object.entries(docs))
      index.replace(id, searchMessages(doc), pinnedIds(doc), coverageOf(doc, 4));
    const records = [...index.units.values()].map((u) => structuredClone(u.toRecord()));

    const { index: reloaded, indexed } = SearchIndex.restore(snapshot, records);
    expect(indexed).toBe(2); // the edit and the new message, not the whole history
    const rebuilt = new SearchIndex();
    for (const [id, doc] of Object.entries(docs)) rebuilt.replace(id, searchMessages(doc), pinnedIds(doc));

    for (const q of [...QUERIES, ...FILTERS]) {
      expect(query(reloaded, q), q).toEqual(query(rebuilt, q));
      expect(reloaded.search({ text: q, now: T0 }), q).toEqual(rebuilt.search({ text: q, now: T0 }));
    }
    expect(ids(reloaded, 'devis')).toEqual([fresh.id]);
    expect(reloaded.units.get('compta')?.covered).toEqual(coverageOf(docs.compta, 4));
    // Later changes keep numbering after everything already taken in.
    expect(reloaded.seq).toBe(index.seq);
  });

  it('a reloaded index takes later changes, and persists and reloads again, like a fresh one', () => {
    const { index, docs, m } = fixture();
    const snapshot = structuredClone(index.snapshot());
    index.snapshotStored(snapshot);
    const records = [...index.units.values()].map((u) => structuredClone(u.toRecord()));
    const { index: reloaded, indexed } = SearchIndex.restore(snapshot, records);
    expect(indexed).toBe(0);
    // Changes before anything was looked up by id (the maps a cold start leaves for later).
    messagesMap(docs.compta).set(m.coeur.id, {
      ...m.coeur,
      text: 'Budget révisé',
      editedAt: T0 + 9,
    } as never);
    messagesMap(docs.direct).delete(m.photo.id);
    addMessage(docs.compta, { author: 'claire', text: 'Nouvelle facture reçue', now: T0 + 8 * DAY });
    const rebuilt = new SearchIndex();
    for (const [id, doc] of Object.entries(docs)) {
      reloaded.replace(id, searchMessages(doc), pinnedIds(doc));
      rebuilt.replace(id, searchMessages(doc), pinnedIds(doc));
    }
    const again = SearchIndex.restore(
      structuredClone(reloaded.snapshot()),
      [...reloaded.units.values()].map((u) => structuredClone(u.toRecord())),
    );
    expect(again.indexed).toBe(0);
    for (const q of [...QUERIES, ...FILTERS, 'budget', 'revise', 'nouvelle facture', 'chantier']) {
      expect(reloaded.search({ text: q, now: T0 }), q).toEqual(rebuilt.search({ text: q, now: T0 }));
      expect(again.index.search({ text: q, now: T0 }), q).toEqual(rebuilt.search({ text: q, now: T0 }));
      expect(query(again.index, q), q).toEqual(query(rebuilt, q));
    }
  });

  it('keeps from a snapshot only the documents its records say it holds (same short id, seq and discussion)', () => {
    const { index, docs } = fixture();
    const snapshot = structuredClone(index.snapshot());
    // Records of another index of the same documents, taken in the other order: the short
    // ids and seqs of one do not name the same messages in the other.
    const other = new SearchIndex();
    for (const [id, doc] of Object.entries(docs).reverse())
      other.replace(id, searchMessages(doc), pinnedIds(doc));
    const records = [...other.units.values()].map((u) => structuredClone(u.toRecord()));
    const { index: restored, indexed } = SearchIndex.restore(snapshot, records);
    expect(indexed).toBe(4);
    expect(restored.snapshotDue).toBe(true); // the stored snapshot is not this index's
    for (const q of [...QUERIES, ...FILTERS]) {
      expect(restored.search({ text: q, now: T0 }), q).toEqual(other.search({ text: q, now: T0 }));
    }
  });

  it('ignores a snapshot and units of another format (they are rebuilt from the documents)', () => {
    const { index } = fixture();
    const snapshot = { ...index.snapshot(), format: SEARCH_FORMAT + 1 };
    const records = [...index.units.values()].map((u) => ({ ...u.toRecord(), format: SEARCH_FORMAT - 1 }));
    const { index: restored } = SearchIndex.restore(snapshot, records);
    expect(restored.units.size).toBe(0);
    expect(ids(restored, 'reunion')).toEqual([]);
  });
});
