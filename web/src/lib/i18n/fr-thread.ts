/**
 * French wording of read indicators, mentions, pins, edits, deletes and notifications. Spread
 * into fr.ts; en-thread.ts has the same keys (checked by the type). Labels quoted in the issue
 * are a contract with the e2e tests.
 */
export const frThread = {
  'sidebar.mentions.one': '{count} mention',
  'sidebar.mentions.other': '{count} mentions',

  'thread.newMessages': 'Nouveaux messages',
  'thread.seen': 'Vu',
  'thread.seenBy': 'Vu par {names}',
  'thread.seenByTitle': 'Vu par',
  'thread.others.one': '{count} autre',
  'thread.others.other': '{count} autres',
  'thread.edited': '(modifié)',
  'thread.deleted': 'Message supprimé',
  'thread.highlighted': 'Message épinglé affiché',

  'message.actions': 'Actions sur le message',
  'message.edit': 'Modifier',
  'message.delete': 'Supprimer',
  'message.pin': 'Épingler',
  'message.unpin': 'Désépingler',
  'message.pinned': 'Épinglé',
  'message.deleteTitle': 'Supprimer ce message ?',
  'message.deleteBody': 'Il disparaîtra pour tout le monde, sur tous les appareils.',
  'message.deleteConfirm': 'Supprimer',
  'message.cancel': 'Annuler',

  'pins.button': 'Messages épinglés',
  'pins.title': 'Messages épinglés',
  'pins.empty': 'Aucun message épinglé. Épinglez un message important pour le retrouver ici.',
  'pins.by': 'Épinglé par {name}, {when}',
  'pins.close': 'Fermer',
  'pins.unknown': 'Message plus ancien',

  'composer.editing': 'Modification du message',
  'composer.editHint': 'Entrée pour enregistrer · Échap pour annuler',
  'composer.cancelEdit': 'Annuler la modification',
  'composer.save': 'Enregistrer',
  'composer.mentionList': 'Personnes à mentionner',
  'composer.everyone': 'Mentionner tous les membres',

  'composer.attach': 'Joindre un fichier',
  'composer.attachments': 'Fichiers à envoyer',
  'composer.removeFile': 'Retirer {name}',
  'composer.fileTooLarge': '« {name} » dépasse la taille maximale autorisée ({max}) : il n’a pas été joint.',
  'composer.tooManyFiles': 'Au plus {max} fichiers par message.',
  'composer.dropHere': 'Déposez vos fichiers pour les joindre',

  'files.button': 'Fichiers',
  'files.title': 'Fichiers',
  'files.empty': 'Aucun fichier pour l’instant. Les fichiers échangés dans la discussion apparaîtront ici.',
  'files.close': 'Fermer',
  'files.enlarge': 'Afficher {name} en grand',
  'files.download': 'Télécharger',
  'files.goTo': 'Voir le message',
  'files.by': '{name}, {when}',
  'files.uploading': 'Envoi de {name}',
  'files.waiting': 'En attente du réseau',
  'files.ready': 'Envoyé',
  'files.cancel': 'Annuler l’envoi',
  'files.failed.file_too_large': 'Refusé : le fichier dépasse la taille permise par le serveur.',
  'files.failed.not_member': 'Refusé : vous n’êtes plus membre de cette discussion.',
  'files.failed.other': 'Refusé par le serveur.',

  'mention.all': 'tous',

  'notify.prompt': 'Être averti quand quelqu’un vous mentionne ?',
  'notify.enable': 'Activer les notifications',
  'notify.later': 'Plus tard',
  'notify.mention': '{name} vous a mentionné',
  'notify.mentionIn': '{name} vous a mentionné dans {discussion}',
  'notify.many': '{count} nouvelles mentions',
} as const;

export type ThreadMessageKey = keyof typeof frThread;
