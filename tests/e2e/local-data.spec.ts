/**
 * What the browser keeps, and what it lets go of (ARCHITECTURE.md, "The browser: offline first"):
 * a removed member keeps nothing of the discussion, a tab holds at most 4 WebSockets, tabs of
 * one user stay in step, and closes the server asks for (4409 role change, 4503 shutdown) end in
 * a reconnection. This spec looks under the hood on
 * purpose: the guarantees are about the browser's storage and sockets, which the UI cannot show.
 */
import type { Page } from '@playwright/test';
import { expect, loginAs, test } from './fixtures.js';
import { composer, message, openDiscussion, send, sidebar } from './ui.js';

/** Every trace of `needles` (ids, texts) in the page's localStorage, IndexedDB names and Cache Storage. */
async function traces(page: Page, needles: string[]) {
  return page.evaluate(async (needles) => {
    const hit = (s: string) => needles.some((n) => s.includes(n));
    const local: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (hit(key) || hit(localStorage.getItem(key) ?? '')) local.push(key);
    }
    const databases = ((await indexedDB.databases()) ?? []).map((d) => d.name ?? '').filter(hit);
    const cached: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) if (hit(request.url)) cached.push(request.url);
    }
    return { local, databases, cached };
  }, needles);
}

const nothing = { local: [], databases: [], cached: [] };

test('a removed member keeps nothing of the discussion, even after reloading offline', async ({
  palabre,
  pageAs,
}) => {
  const karim = await palabre.createUser('Karim Haddad');
  const sophie = await palabre.createUser('Sophie Leroy');
  const thomas = await palabre.createUser('Thomas Petit');
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], 'Projet confidentiel');
  const karimPage = await pageAs(karim);
  await openDiscussion(karimPage, 'Projet confidentiel');
  await send(karimPage, 'Le budget secret est de 42 000 €.');
  const page = await pageAs(sophie);
  await openDiscussion(page, 'Projet confidentiel');
  await expect(message(page, 'Le budget secret est de 42 000 €.')).toBeVisible();
  await send(page, 'Je note, merci.');
  // She has it locally: the document, its sidebar facts and the painted tail.
  await expect.poll(async () => (await traces(page, [id])).databases.length).toBeGreaterThan(0);
  await expect.poll(async () => (await traces(page, ['budget secret'])).local.length).toBeGreaterThan(0);

  await palabre.removeMember(id, sophie.id);
  await expect(sidebar(page).getByRole('link', { name: 'Projet confidentiel' })).toHaveCount(0);
  const needles = [id, 'Projet confidentiel', 'budget secret', 'Je note, merci.'];
  await expect.poll(() => traces(page, needles)).toEqual(nothing);

  // Offline, the app starts from what is stored: there is nothing of the discussion left to show.
  await page.context().setOffline(true);
  await page.reload();
  await expect(sidebar(page)).toBeVisible();
  await expect(sidebar(page).getByRole('link', { name: 'Projet confidentiel' })).toHaveCount(0);
  expect(await traces(page, needles)).toEqual(nothing);
  // Even its address shows nothing of it.
  await page.goto(`/discussions/${id}`);
  await expect(page.getByText('Le budget secret est de 42 000 €.')).toHaveCount(0);
  expect(await traces(page, needles.slice(1))).toEqual(nothing);
  await page.context().setOffline(false);
});

test('a tab never holds more than 4 WebSockets, whatever the number of out-of-date discussions', async ({
  palabre,
  pageAs,
}) => {
  const me = await palabre.createUser('Élodie Bernard');
  const others = await Promise.all(Array.from({ length: 8 }, (_, i) => palabre.createUser(`Collègue ${i}`)));
  const ids: string[] = [];
  for (const [i, other] of others.entries()) {
    const d = await palabre.createDiscussion(
      other,
      [me.id, others[(i + 1) % others.length].id],
      `Sujet ${i}`,
    );
    ids.push(d.id);
  }
  // Every discussion is newer than anything on her device (she never synced any of them).
  const page = await pageAs(me);
  let open = 0;
  let most = 0;
  page.on('websocket', (ws) => {
    open++;
    most = Math.max(most, open);
    ws.on('close', () => open--);
  });
  // The background pool syncs every discussion into IndexedDB, two at a time.
  await page.reload();
  await openDiscussion(page, 'Sujet 0');
  await expect
    .poll(async () => (await traces(page, ids)).databases.length, { timeout: 60_000 })
    .toBe(ids.length);
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(4);
});

test('two tabs of one user stay in step without the network (BroadcastChannel)', async ({
  palabre,
  browser,
}) => {
  const sophie = await palabre.createUser('Sophie Leroy');
  const karim = await palabre.createUser('Karim Haddad');
  await palabre.createDiscussion(sophie, [karim.id]);
  const context = await browser.newContext();
  const first = await context.newPage();
  await loginAs(first, sophie);
  await openDiscussion(first, karim.displayName);
  const second = await context.newPage();
  await second.goto(first.url());
  await expect(composer(second)).toBeVisible();
  await context.setOffline(true);
  await send(first, 'Écrit dans le premier onglet, hors ligne.');
  await expect(message(second, 'Écrit dans le premier onglet, hors ligne.')).toBeVisible();
  await send(second, 'Et celui-ci dans le second.');
  await expect(message(first, 'Et celui-ci dans le second.')).toBeVisible();
  await context.setOffline(false);
  await context.close();
});

test('a role change (4409) and a server restart (4503) make the client reconnect', async ({
  palabre,
  pageAs,
}) => {
  const karim = await palabre.createUser('Karim Haddad');
  const sophie = await palabre.createUser('Sophie Leroy');
  const thomas = await palabre.createUser('Thomas Petit');
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], 'Annonces');
  const karimPage = await pageAs(karim);
  await openDiscussion(karimPage, 'Annonces');
  const page = await pageAs(sophie);
  await openDiscussion(page, 'Annonces');
  await expect(composer(page)).toBeVisible();
  const syncSockets: string[] = [];
  page.on('websocket', (ws) => {
    if (ws.url().includes(`/sync/${id}`)) syncSockets.push(ws.url());
  });

  // 4409: her rights change while connected; she reconnects with the new ones and keeps reading live.
  await palabre.setRole(id, sophie.id, 'reader');
  await expect(page.getByText(/Vous êtes lecteur/)).toBeVisible();
  await expect.poll(() => syncSockets.length).toBeGreaterThan(0);
  await send(karimPage, 'Inventaire vendredi.');
  await expect(message(page, 'Inventaire vendredi.')).toBeVisible();

  // 4503: the server shuts down and comes back; the client reconnects by itself.
  const before = syncSockets.length;
  await palabre.stop();
  await palabre.start();
  await expect.poll(() => syncSockets.length, { timeout: 45_000 }).toBeGreaterThan(before);
  await send(karimPage, 'De retour après le redémarrage.');
  await expect(message(page, 'De retour après le redémarrage.')).toBeVisible({ timeout: 45_000 });
});
