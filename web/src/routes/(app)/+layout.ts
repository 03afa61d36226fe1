import { redirect } from '@sveltejs/kit';
import { directory } from '$lib/state/directory.svelte.js';
import { discussions } from '$lib/state/discussions.svelte.js';
import { session } from '$lib/state/session.svelte.js';
import { handleError, quietly } from '$lib/state/toasts.svelte.js';
import type { LayoutLoad } from './$types';

// Typed by hand (not only by svelte-check's zero-config types) so plain tsc and editors agree.
export async function load({ url }: Parameters<LayoutLoad>[0]) {
  const user = await session.load();
  if (!user) redirect(307, `/login?next=${encodeURIComponent(url.pathname)}`);
  // From the local cache at once when there is one (names, the list): the server's answers
  // follow in the background, and no answer at all (offline) is fine. On a first visit, wait
  // for the server: names first, so the list does not flash « Utilisateur inconnu ».
  const opening = /^\/discussions\/([0-9a-z]+)$/.exec(url.pathname)?.[1];
  const names = directory.restore() ? void directory.load().catch(quietly) : directory.load();
  const started = discussions.start();
  // The thread's local copy loads while the rest of the page is built.
  if (opening) discussions.prepare(opening);
  await Promise.all([names, started]).catch(handleError);
  return {};
}
