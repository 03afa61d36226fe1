/** Message texts and pre-built histories, identical for both servers. */
import * as Y from 'yjs';
import { addMessage, initDiscussion, DiscussionKind, Role } from '@palabre/shared';

const WORDS = (
  'bonjour merci devis client réunion jeudi matin demain livraison commande facture équipe ' +
  'intervention panne pièce rechange dossier relance rappel planning congés stock atelier ' +
  'chantier rendez-vous validé urgent noté parfait envoyé reçu à la suite je te confirme ' +
  'pour le avant midi cet après-midi on se cale vers heures salle projet'
).split(' ');

/** A deterministic chat-like text of 20 to 140 characters for message number i. */
export function sampleText(i: number): string {
  let seed = (i * 2654435761) >>> 0;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0);
  const target = 20 + (next() % 121);
  let text = '';
  while (text.length < target) text += (text ? ' ' : '') + WORDS[next() % WORDS.length];
  return text.charAt(0).toUpperCase() + text.slice(1, target).trimEnd() + '.';
}

/** Messages per throwaway document: addMessage scans the whole document for its clock. */
const CHUNK = 500;

/**
 * One update holding `count` messages written with addMessage, as if by several sessions over
 * time (one Yjs client per chunk of 500). With `meta`, also the discussion's metadata, for a
 * relay that did not create the document itself.
 */
export function buildHistory(
  count: number,
  authors: string[],
  meta?: { id: string; createdBy: string },
): Uint8Array {
  const start = Date.now() - count * 1000;
  const parts: Uint8Array[] = [];
  if (meta) {
    const doc = new Y.Doc();
    initDiscussion(doc, {
      id: meta.id,
      kind: DiscussionKind.Group,
      title: 'bench',
      createdBy: meta.createdBy,
      createdAt: start,
      members: authors.map((userId) => ({ userId, role: Role.Member })),
    });
    parts.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  for (let first = 0; first < count; first += CHUNK) {
    const doc = new Y.Doc();
    doc.transact(() => {
      for (let i = first; i < Math.min(count, first + CHUNK); i++) {
        addMessage(doc, { author: authors[i % authors.length], text: sampleText(i), now: start + i * 1000 });
      }
    });
    parts.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
}
