/** `--demo`: a handful of colleagues and discussions to try. Loaded only when asked for. */
import { addMessage } from '@palabre/shared';
import type { RunningServer } from './server.js';
import type { UserRow } from './storage/types.js';

const DEMO_PEOPLE = [
  ['claire.martin', 'Claire Martin'],
  ['francois.dupont', 'François Dupont'],
  ['elodie.bernard', 'Élodie Bernard'],
  ['karim.haddad', 'Karim Haddad'],
  ['sophie.leroy', 'Sophie Leroy'],
  ['thomas.petit', 'Thomas Petit'],
] as const;

export const DEMO_PASSWORD = 'palabre-demo';

/** Seed demo colleagues (password palabre-demo) and a few discussions; skipped when already there. */
export async function seedDemo(server: RunningServer): Promise<boolean> {
  const dir = server.storage.directory;
  if (await dir.userByUsername(DEMO_PEOPLE[0][0])) return false;
  const users: UserRow[] = [];
  for (const [username, displayName] of DEMO_PEOPLE) {
    users.push(await server.auth.createUser({ username, displayName, password: DEMO_PASSWORD }));
  }
  const [claire, francois, elodie, karim, sophie] = users.map((u) => u.id);
  const byId = new Map(users.map((u) => [u.id, u]));
  const script: [string, string[], string | null, [string, string][]][] = [
    [
      claire,
      [francois],
      null,
      [
        [claire, 'Bonjour François, as-tu reçu le devis pour le client Dubois ?'],
        [francois, 'Oui, je le relis ce matin et je te fais un retour avant midi.'],
        [claire, 'Parfait, merci !'],
      ],
    ],
    [
      karim,
      [claire, elodie, sophie],
      'Urgences SAV',
      [
        [karim, 'Panne signalée chez Garnier & Fils : la ligne 2 est à l’arrêt.'],
        [elodie, 'Je peux passer cet après-midi avec la pièce de rechange.'],
        [sophie, 'Je préviens le client et je note l’intervention.'],
        [karim, 'Merci à vous deux. Élodie, tiens-nous au courant.'],
      ],
    ],
    [
      sophie,
      [claire, francois, karim, elodie],
      'Équipe commerciale',
      [
        [sophie, 'Réunion hebdomadaire décalée à jeudi 10 h.'],
        [francois, 'Noté, je réserve la salle.'],
      ],
    ],
  ];
  let clock = Date.now() - 3 * 3600_000;
  for (const [creator, others, title, messages] of script) {
    const { summary } = await server.discussions.create(byId.get(creator)!, others, title);
    await server.docs.change(summary.id, (doc) => {
      for (const [author, text] of messages) addMessage(doc, { author, text, now: (clock += 7 * 60_000) });
    });
  }
  await server.sidebar.flush();
  return true;
}
