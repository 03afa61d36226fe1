import { redirect } from '@sveltejs/kit';
import { session } from '$lib/state/session.svelte.js';

export async function load() {
  const user = await session.load();
  redirect(307, user ? '/discussions' : '/login');
}
