import { redirect } from '@sveltejs/kit';
import { session } from '$lib/state/session.svelte.js';

export async function load() {
  // Already signed in (a bookmark, the back button): go straight to the discussions.
  if (await session.load().catch(() => null)) redirect(307, '/discussions');
}
