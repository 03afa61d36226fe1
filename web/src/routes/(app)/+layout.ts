import { redirect } from '@sveltejs/kit';
import { directory } from '$lib/state/directory.svelte.js';
import { discussions } from '$lib/state/discussions.svelte.js';
import { session } from '$lib/state/session.svelte.js';
import { handleError } from '$lib/state/toasts.svelte.js';

export async function load({ url }) {
  const user = await session.load();
  if (!user) redirect(307, `/login?next=${encodeURIComponent(url.pathname)}`);
  // Names first, so the list does not flash « Utilisateur inconnu ». A failure is reported
  // but does not block the app: open documents still work from IndexedDB.
  await Promise.all([directory.load(), discussions.start()]).catch(handleError);
  return {};
}
