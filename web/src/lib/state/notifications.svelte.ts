/**
 * Mentions announced to me: a browser notification when Palabre is in the background and I
 * agreed to them (the Notification API, no push service), an in-app toast otherwise, nothing
 * when the discussion is on screen (it is read at once). Every document reports mentions that
 * arrive from the server (registry.onMention), so a mention written offline and delivered later
 * is announced when it arrives.
 */
import { goto } from '$app/navigation';
import { mentionsAsNames, type MessageRecord } from '@palabre/shared/discussion/index';
import { preview } from '@palabre/shared/text';
import { t } from '$lib/i18n/index.svelte.js';
import { docs } from '$lib/sync/registry.svelte.js';
import { directory } from './directory.svelte.js';
import { discussions } from './discussions.svelte.js';
import { toasts } from './toasts.svelte.js';

const DISMISSED_KEY = 'palabre:notifications-later';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

class NotificationState {
  permission = $state<Permission>(typeof window === 'undefined' ? 'unsupported' : currentPermission());
  dismissed = $state(typeof window === 'undefined' ? true : readDismissed());
  /** The discussion on screen, if any (set by the open thread). */
  openId: string | null = null;

  /** Offer to turn notifications on: the browser has not asked yet and I did not say later. */
  get shouldAsk(): boolean {
    return this.permission === 'default' && !this.dismissed;
  }

  async enable(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    this.permission = await Notification.requestPermission();
  }

  later(): void {
    this.dismissed = true;
    try {
      localStorage.setItem(DISMISSED_KEY, '1');
    } catch {
      // Storage blocked: asked again next time.
    }
  }

  mention(discussionId: string, message: MessageRecord): void {
    const background = document.visibilityState !== 'visible' || !document.hasFocus();
    if (!background && this.openId === discussionId) return;
    const author = directory.name(message.author);
    const title = discussions.get(discussionId)?.title;
    const heading = title
      ? t('notify.mentionIn', { name: author, discussion: title })
      : t('notify.mention', { name: author });
    const body = preview(
      mentionsAsNames(message.text, (id) => (id === 'all' ? t('mention.all') : directory.name(id))),
    );
    this.permission = currentPermission();
    if (background && this.permission === 'granted') {
      // The tag makes a mention shown by two tabs (or twice) one notification.
      const shown = new Notification(heading, { body, tag: `palabre-mention-${message.id}` });
      shown.onclick = () => {
        window.focus();
        void goto(`/discussions/${discussionId}`);
        shown.close();
      };
      return;
    }
    toasts.push(`${heading} — ${body}`, 'info', 8000);
  }
}

export const notifications = new NotificationState();

docs.onMention((doc, message) => notifications.mention(doc.id, message));
