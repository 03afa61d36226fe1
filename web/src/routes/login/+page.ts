import { redirect } from '@sveltejs/kit';
import { session } from '$lib/state/session.svelte.js';

export async function load() {
  // Already signed in (a bookmark, the back button): go straight to the discussions.
  if (!session.probablySignedIn) return;
  if (await session.load().catch(() => null)) redirect(307, '/discussions');
}
