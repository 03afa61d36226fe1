/** English wording of read indicators, mentions, pins, edits, deletes and notifications (same keys as fr-thread.ts). */
import type { ThreadMessageKey } from './fr-thread.js';

export const enThread: Record<ThreadMessageKey, string> = {
  'sidebar.mentions.one': '{count} mention',
  'sidebar.mentions.other': '{count} mentions',

  'thread.newMessages': 'New messages',
  'thread.seen': 'Seen',
  'thread.seenBy': 'Seen by {names}',
  'thread.seenByTitle': 'Seen by',
  'thread.others.one': '{count} other',
  'thread.others.other': '{count} others',
  'thread.edited': '(edited)',
  'thread.deleted': 'Message deleted',
  'thread.highlighted': 'Pinned message shown',

  'message.actions': 'Message actions',
  'message.edit': 'Edit',
  'message.delete': 'Delete',
  'message.pin': 'Pin',
  'message.unpin': 'Unpin',
  'message.pinned': 'Pinned',
  'message.deleteTitle': 'Delete this message?',
  'message.deleteBody': 'It will disappear for everyone, on every device.',
  'message.deleteConfirm': 'Delete',
  'message.cancel': 'Cancel',

  'pins.button': 'Pinned messages',
  'pins.title': 'Pinned messages',
  'pins.empty': 'No pinned message. Pin an important message to find it here.',
  'pins.by': 'Pinned by {name}, {when}',
  'pins.close': 'Close',
  'pins.unknown': 'Older message',

  'composer.editing': 'Editing message',
  'composer.editHint': 'Enter to save · Esc to cancel',
  'composer.cancelEdit': 'Cancel editing',
  'composer.save': 'Save',
  'composer.mentionList': 'People to mention',
  'composer.everyone': 'Mention every member',

  'mention.all': 'everyone',

  'notify.prompt': 'Get notified when someone mentions you?',
  'notify.enable': 'Turn on notifications',
  'notify.later': 'Later',
  'notify.mention': '{name} mentioned you',
  'notify.mentionIn': '{name} mentioned you in {discussion}',
  'notify.many': '{count} new mentions',
};
