/**
 * A generated corpus of realistic French team-chat messages, the same for every run (seeded):
 * a vocabulary of several thousand French word forms (real words with their accents, ligatures,
 * elisions and hyphens, inflected), drawn with a Zipf distribution (rank r has weight 1/r), the
 * French stop words at the head of it as in real text, messages of 3 to 40 words, 50 authors,
 * 200 discussions of uneven sizes, timestamps over a year.
 */
import type { SearchMessage } from '@palabre/shared/search/index';

const STOP = `de la le et les des à un une en du que qui est pour pas dans il on je nous vous ce sur
au se ne plus par avec mais ou sont tout a fait bien comme y avait être été leur aux cette ses son
sa mes ma mon ton ta notre votre elle ils elles si très aussi donc car alors encore déjà même
c'est j'ai n'est qu'il l'on d'un d'une`.split(/\s+/);

const NOUNS = `réunion équipe projet client devis facture livraison commande contrat rendez-vous
planning semaine journée matin soir après-midi bureau salle dossier document fichier rapport
présentation budget chiffre objectif stratégie marché produit service qualité problème solution
question réponse demande proposition idée avis décision réunion-bilan cœur sœur œuvre manœuvre
vœu nœud œil bœuf cæcum curriculum tableau graphique courriel message téléphone appel visio
caméra écran ordinateur serveur réseau logiciel application version mise-à-jour sauvegarde
sécurité accès compte utilisateur mot-de-passe formation stage recrutement candidat entretien
salaire congé vacances absence maladie télétravail déplacement voyage train avion hôtel taxi
restaurant déjeuner dîner café pause anniversaire fête cadeau collègue directeur directrice
responsable manager stagiaire équipier partenaire fournisseur prestataire transporteur
entrepôt stock inventaire palette colis carton étiquette adresse ville région pays Paris Lyon
Marseille Toulouse Bordeaux Lille Nantes Strasbourg Rennes Grenoble Saint-Étienne Aix-en-Provence
agence siège succursale magasin boutique vitrine caisse ticket remboursement avoir remise
promotion soldes catalogue tarif prix coût dépense recette bénéfice perte trésorerie banque
virement chèque paiement échéance retard relance litige réclamation garantie panne réparation
intervention technicien maintenance installation chantier travaux plan maquette prototype
essai test bug correctif incident alerte urgence priorité tâche étape jalon calendrier agenda
horaire délai durée période trimestre année mois lundi mardi mercredi jeudi vendredi samedi
dimanche janvier février mars avril mai juin juillet août septembre octobre novembre décembre
printemps été automne hiver pluie neige soleil météo nouvelle information actualité article
journal presse radio télévision publicité communication marketing vente achat export import
douane frontière norme règle loi décret arrêté procédure méthode outil machine matériel
équipement véhicule camion voiture vélo parking clé badge porte fenêtre étage ascenseur
escalier toit mur sol lumière chauffage climatisation électricité eau gaz énergie déchet
recyclage environnement santé hygiène cantine menu repas dessert fromage pain vin bière`.split(/\s+/);

const VERBS = `envoyer recevoir valider vérifier préparer organiser planifier annuler reporter
confirmer signer payer commander livrer installer réparer tester corriger publier partager
discuter proposer accepter refuser demander répondre appeler rappeler écrire lire relire
modifier supprimer ajouter créer terminer commencer continuer attendre chercher trouver
regarder montrer expliquer présenter former recruter embaucher gérer suivre relancer
négocier calculer estimer mesurer analyser comparer choisir décider prévoir réserver
déménager ranger nettoyer imprimer scanner télécharger sauvegarder restaurer déployer
migrer configurer sécuriser protéger bloquer débloquer ouvrir fermer fêter remercier
féliciter excuser prévenir informer rassurer aider soutenir encourager motiver`.split(/\s+/);

/** More verbs and nouns of office life, so the vocabulary has several thousand forms. */
const MORE_VERBS = `accompagner accorder acheter activer adapter adresser affecter afficher agrandir
ajuster alimenter allouer améliorer amener animer annoncer anticiper apporter apprécier
approuver archiver arranger arrêter arriver assister associer assurer attacher attribuer
augmenter autoriser avancer baisser bloquer boucler brancher calibrer capter changer charger
chiffrer classer clôturer coder coller combler communiquer compiler compléter composer compter
concerner confier connecter consacrer conserver consulter contacter contester contrôler
convoquer coordonner copier corriger coûter créditer crypter cumuler débiter décaler déclarer
décoller décrocher dédier défiler déléguer demander démarrer démonter dépanner dépasser
déplacer déposer désactiver désigner dessiner détailler détecter développer dicter diffuser
diminuer discuter distribuer documenter donner doubler dupliquer échanger écouter éditer
effacer égaler éliminer emballer embarquer emporter emprunter encaisser enchaîner enregistrer
enseigner entamer entrer énumérer envisager équiper espérer essayer étiqueter évaluer éviter
évoquer examiner exécuter exiger exister expédier expirer exploiter exporter exprimer facturer
faxer filtrer financer fixer flécher fonctionner formaliser formuler fusionner garder gagner
générer glisser gonfler graver grouper guider habiller héberger hésiter identifier ignorer
illustrer imaginer importer imposer indiquer inscrire insister inspecter intégrer interroger
inviter isoler jongler juger justifier lancer laver libérer limiter lister loger louer manquer
marquer masquer mélanger mémoriser mentionner mériter mesurer mobiliser modéliser monter
noter numéroter observer obtenir occuper opérer optimiser orienter oublier packager paramétrer
parler participer passer patienter penser perdurer permuter peser photographier piloter placer
plaider planter plier porter poser poster pousser pratiquer préciser préférer prélever
présenter presser prêter prioriser procurer produire programmer progresser projeter prolonger
promouvoir prononcer proposer prospecter quitter raccrocher raconter rajouter rappeler
rapprocher rater rattraper rayer réaliser recaler réceptionner rechercher réclamer recompter
recopier recouper rectifier recycler rédiger redémarrer réduire référencer refuser régler
regrouper rejeter rejoindre relancer remarquer rembourser remonter remplacer remplir renommer
renouveler renseigner rentrer renvoyer réorganiser réparer repasser répéter replanifier
reporter reposer reprogrammer réquisitionner résilier résoudre respecter ressortir retarder
retenir retirer retourner retrouver réunir réviser risquer rouler saisir saluer sauter
sélectionner séparer signaler simplifier situer solder solliciter souhaiter souligner
stabiliser stocker structurer styliser subir succéder suggérer superviser supporter surveiller
synchroniser tamponner taper tarder téléphoner témoigner tenter tirer tolérer toucher tourner
tracer traduire traiter transférer transmettre transporter travailler trier tronquer utiliser
vacciner valoriser varier veiller vendre verrouiller viser visiter voter zipper`.split(/\s+/);

const MORE_NOUNS = `accord accueil achat acompte action activité adhérent administration affaire
affiche agenda aide ajustement alerte allocation amélioration amende analyse animation annexe
annonce annuaire annulation antenne appareil archive argument arrivée assemblée assistance
association assurance atelier attestation audit augmentation autorisation avance avenant
badgeuse balance barème base besoin bilan billet bordereau brouillon bulletin cabinet cahier
campagne capacité capital cartouche casier certificat charge charte circulaire classeur
clôture code comité commentaire commission comptable comptoir concours condition conférence
conseil consigne consultant contact contenu contrôle convention copie correction cotisation
couloir coupon courrier crédit critère cuisine dalle date débat débit déclaration découvert
défaut délégation démarche démission département dépôt désistement détail développement
devise diagnostic dictionnaire difficulté diplôme discussion disponibilité distributeur
document domaine dossier douche échange échantillon économie édition effectif élection
emballage embauche emploi emprunt encaissement endroit engagement enquête enregistrement
entreprise enveloppe envoi épreuve erreur espace estimation établissement état étude
évaluation événement examen exercice expédition expert exposé extrait fabrication facteur
faute faveur fiche filiale filtre financement fonction fonds forfait format formulaire
fourniture frais franchise gamme gestion grille groupe guichet guide habitude héritage
historique honoraire hypothèse identifiant imprimante impôt indemnité indicateur inscription
instruction intérêt intérim inventaire investissement invitation justificatif kilomètre
lancement lecture lettre licence lien liste livret local locataire logement logo loyer
machine magazine mailing majoration mandat marge matière mémo mention mesure mission
mobilier modèle module montant mouvement moyenne mutuelle négociation niveau note
notification numéro objection obligation offre opération option ordre organigramme
organisation outil ouverture panneau papier paquet paragraphe parcours participant passage
patron pénalité pièce placard plainte plateforme police portail poste pourcentage pratique
préavis précision préfecture prélèvement prestation prêt preuve principe procès produit
profil programme progrès projection promesse propriétaire prospect protocole provision
quantité quittance rabais raison rappel rapport rayon réception recherche récolte récompense
recours reçu rédaction réduction référence réflexion refus registre règlement relevé
rendement renouvellement renseignement répartition répertoire reprise réservation résiliation
résultat retour réunion révision risque rubrique salarié salon sanction schéma secrétariat
secteur séminaire sinistre site situation société solde sondage sortie souscription
spécialiste standard statut subvention succès suite support synthèse système tampon taxe
technique témoignage terrain texte thème titre total tournée traduction traitement trajet
transfert transport tribunal tutoriel unité usine validation valeur vérification versement
visite volume zone`.split(/\s+/);

const ADJECTIVES = `nouveau nouvelle prochain prochaine dernier dernière urgent urgente important
importante possible impossible prêt prête complet complète simple difficile rapide lent
grand grande petit petite premier première seul seule cher chère gratuit gratuite
disponible occupé occupée content contente désolé désolée sûr sûre clair claire
précis précise exact exacte récent récente ancien ancienne général générale
technique commercial commerciale financier financière juridique administratif
administrative mensuel mensuelle hebdomadaire quotidien quotidienne annuel annuelle
prioritaire bloquant bloquante validé validée signé signée envoyé envoyée reçu reçue
terminé terminée annulé annulée reporté reportée confirmé confirmée`.split(/\s+/);

const OTHER = `demain hier aujourd'hui maintenant bientôt toujours jamais souvent ensuite
d'abord enfin vraiment peut-être d'accord merci bonjour salut bonsoir s'il-vous-plaît
oui non ok super parfait génial top voilà attention rapidement ensemble tard tôt vite
là-bas ici-même quelqu'un quelque-chose chacun plusieurs beaucoup trop assez moins`.split(/\s+/);

/** The endings of a verb in -er's inflected forms, after its stem. */
const ER_ENDINGS = ['e', 'es', 'ons', 'ez', 'ent', 'é', 'ée', 'ait', 'erai', 'era', 'erons', 'ais', 'ant'];

/** Inflected forms of a verb in -er (and a few irregular-looking ones kept as is). */
function conjugate(verb: string): string[] {
  if (!verb.endsWith('er')) return [verb];
  const stem = verb.slice(0, -2);
  return [verb, ...ER_ENDINGS.map((ending) => `${stem}${ending}`)];
}

function plural(word: string): string[] {
  if (/[sxz]$/.test(word)) return [word];
  if (word.endsWith('al')) return [word, `${word.slice(0, -2)}aux`];
  if (word.endsWith('eau')) return [word, `${word}x`];
  return [word, `${word}s`];
}

/** Deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function vocabulary(): string[] {
  const content = [
    ...NOUNS.flatMap(plural),
    ...MORE_NOUNS.flatMap(plural),
    ...VERBS.flatMap(conjugate),
    ...MORE_VERBS.flatMap(conjugate),
    ...ADJECTIVES.flatMap(plural),
    ...OTHER,
  ].map((w) => w.replace(/-/g, (m) => m)); // hyphenated words stay hyphenated
  // A stable shuffle, so the Zipf ranks do not follow the lists above.
  const random = rng(7);
  const shuffled = [...new Set(content)];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return [...STOP, ...shuffled];
}

/** Zipf sampler over ranks 1..n: weight 1/r. */
function zipf(n: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 1; r <= n; r++) cumulative[r - 1] = total += 1 / r;
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface Corpus {
  vocabulary: string[];
  authors: string[];
  discussions: { id: string; title: string; members: string[] }[];
  /** Messages per discussion id. */
  messages: Map<string, SearchMessage[]>;
  count: number;
}

export const AUTHOR_NAMES =
  `Claire Martin,François Dupont,Élodie Bernard,Karim Haddad,Sophie Leroy,Thomas Petit,Chloé Moreau,Lucas Girard,Inès Lambert,Hugo Fontaine,Léa Rousseau,Mathis Garnier,Zoé Chevalier,Nathan Faure,Manon Blanc,Théo Guérin,Camille Muller,Enzo Henry,Jade Perrin,Louis Morin,Lina Mathieu,Gabriel Clément,Emma Gauthier,Raphaël Robin,Alice Nicolas,Arthur Lefèvre,Louise Roux,Jules Fournier,Rose Mercier,Adam Dumas,Anna Lemoine,Noah Marchand,Juliette Dufour,Paul Blanchard,Eva Brunet,Tom Roussel,Margaux Picard,Sacha Renaud,Agathe Arnaud,Maël Caron,Héloïse Giraud,Nolan Barbier,Céline Lucas,Yanis Meunier,Océane Leclerc,Bastien Joly,Noémie Colin,Valentin Vidal,Romane Aubert,Benoît Noël`.split(
    ',',
  );

/** `count` messages over 200 discussions and 50 authors (deterministic for a seed). */
export function generateCorpus(count = 100_000, seed = 42, discussionCount = 200): Corpus {
  const random = rng(seed);
  const vocab = vocabulary();
  const word = zipf(vocab.length, random);
  const authors = AUTHOR_NAMES.map((_, i) => `u${String(i).padStart(2, '0')}`);
  const discussions = Array.from({ length: discussionCount }, (_, i) => {
    const size = 2 + Math.floor(random() * 8);
    const members = new Set<string>();
    while (members.size < size) members.add(authors[Math.floor(random() * authors.length)]);
    return { id: `d${String(i).padStart(3, '0')}`, title: `Discussion ${i}`, members: [...members] };
  });
  // Uneven sizes: discussion weights also follow a Zipf law (a few very busy ones).
  const pickDiscussion = zipf(discussionCount, random);
  const messages = new Map<string, SearchMessage[]>(discussions.map((d) => [d.id, []]));
  const start = Date.UTC(2025, 10, 30);
  const span = 365 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const d = discussions[pickDiscussion()];
    const length = 3 + Math.floor(random() ** 2 * 38);
    const text: string[] = [];
    for (let k = 0; k < length; k++) text.push(vocab[word()]);
    text[0] = text[0][0].toUpperCase() + text[0].slice(1);
    messages.get(d.id)!.push({
      id: `m${i.toString(36).padStart(8, '0')}`,
      author: d.members[Math.floor(random() * d.members.length)],
      text: `${text.join(' ')}${random() < 0.3 ? ' ?' : '.'}`,
      ts: start + Math.floor((i / count) * span),
      files: random() < 0.02 ? [`f${i}`] : [],
      fileNames: [],
    });
  }
  for (const list of messages.values())
    for (const m of list) if (m.files!.length) m.fileNames = [`compte-rendu-${m.id}.pdf`];
  return { vocabulary: vocab, authors, discussions, messages, count };
}
