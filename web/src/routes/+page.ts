import { redirect } from '@sveltejs/kit';
import { discussions } from '$lib/state/discussions.svelte.js';
import { session } from '$lib/state/session.svelte.js';

export async function load() {
  const user = await session.load();
  if (!user) redirect(307, '/login');
  // Opening Palabre shows the discussion that was open last time.
  const last = discussions.lastOpen();
  redirect(307, last ? `/discussions/${last}` : '/discussions');
}
