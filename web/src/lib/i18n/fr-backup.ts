/** French wording of the admin console's « Sauvegardes » section and its audit entries. */
export const frBackup = {
  'admin.tabs.backups': 'Sauvegardes',
  'admin.backups.intro':
    'Une sauvegarde copie toutes les données du serveur (comptes, discussions, membres, messages, épingles et fichiers) dans un seul fichier, sans interrompre les discussions en cours.',
  'admin.backups.help':
    'Vérifiez et restaurez une sauvegarde avec la commande palabre sur le serveur (npm run palabre -- verify FICHIER), comme l’explique le guide d’exploitation.',
  'admin.backups.start': 'Sauvegarder maintenant',
  'admin.backups.starting': 'Démarrage…',
  'admin.backups.running': 'Sauvegarde en cours : {name}',
  'admin.backups.done': 'Sauvegarde terminée : {name} ({size}).',
  'admin.backups.failed': 'La sauvegarde {name} a échoué : {message}',
  'admin.backups.dir': 'Dossier des sauvegardes sur le serveur :',
  'admin.backups.list': 'Les sauvegardes du serveur',
  'admin.backups.empty': 'Aucune sauvegarde dans ce dossier pour l’instant.',
  'admin.backups.col.name': 'Fichier',
  'admin.backups.col.date': 'Date',
  'admin.backups.col.size': 'Taille',
  'admin.backups.col.status': 'État',
  'admin.backups.status.running': 'En cours',
  'admin.backups.status.done': 'Terminée',
  'admin.backups.status.failed': 'Échec',
  'audit.backup.start': '{actor} a lancé la sauvegarde « {name} ».',
  'audit.backup.done': 'La sauvegarde « {name} » lancée par {actor} est terminée ({size}).',
  'audit.backup.failed': 'La sauvegarde « {name} » lancée par {actor} a échoué : {message}',
} as const;

export type BackupMessageKey = keyof typeof frBackup;
