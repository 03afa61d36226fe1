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

/** Things colleagues write to each other, 10 to 80 characters; chatText combines them. */
const PHRASES = [
  'Bonjour à tous',
  'Merci, bien reçu',
  'Je regarde ça tout de suite',
  'Le devis Dubois est validé, on peut lancer la commande',
  'On livre lundi matin, entre 8 h et 10 h',
  'Qui peut passer chez Mme Lefèvre cet après-midi ?',
  "La pièce de rechange arrive jeudi, je t'envoie le suivi",
  'Réunion de chantier déplacée à 14 h 30',
  'Facture envoyée au client ce matin',
  "J'ai relancé le fournisseur, pas de réponse pour l'instant",
  'Planning de la semaine prochaine en pièce jointe',
  'Attention, le camion est au garage jusqu’à mercredi',
  'Parfait, je note',
  'Je suis en intervention, je te rappelle vers midi',
  'Le client demande un rendez-vous avant vendredi',
  "C'est noté pour les congés de juillet",
  'Stock de câbles bas à l’atelier, il faudrait recommander',
  'Photos du chantier envoyées dans le dossier partagé',
  'On se cale un point rapide demain à 9 h ?',
  'OK pour moi',
  'Tu peux vérifier la référence du disjoncteur ?',
  'Le dossier Martin est complet, je le transmets à la compta',
  'Retard de 20 minutes, bouchons sur le périphérique',
  'Bonne nouvelle : le chantier de Nantes est signé !',
  'Je prends la relance du devis Garnier',
  'Panne réglée, le client est satisfait',
  'Besoin d’un coup de main pour décharger à 16 h',
  'Les badges d’accès sont à récupérer à l’accueil',
  'Rappel : inventaire vendredi après-midi',
  'Je confirme la commande de 12 radiateurs',
  'Merci pour ton aide sur ce dossier',
  'Le rendez-vous de jeudi est annulé par le client',
  "Quelqu'un a les clés de l'entrepôt ?",
  'Je pars plus tôt ce soir, Julien prend le relais',
  'Validé de mon côté',
  'Pense à mettre à jour le planning partagé',
];

/** A deterministic French chat message for number i: 10 to ~130 characters, ~55 on average. */
export function chatText(i: number): string {
  let seed = (i * 2246822519 + 374761393) >>> 0;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0);
  const first = PHRASES[next() % PHRASES.length];
  // One message in three is two sentences.
  if (next() % 3 !== 0) return first;
  const second = PHRASES[next() % PHRASES.length];
  return second === first ? first : `${first}. ${second}`;
}
