/**
 * What the browser keeps, and what it lets go of (ARCHITECTURE.md, "The browser: offline first"):
 * a removed member keeps nothing of the discussion, signing out keeps nothing of the user, a tab
 * holds at most 4 WebSockets, tabs of one user stay in step, and closes the server asks for (4409
 * role change, 4503 shutdown) end in a reconnection. This spec looks under the hood on purpose:
 * the guarantees are about the browser's storage and sockets, which the UI cannot show.
 */
import { expect, loginAs, test } from './fixtures.js';
import { nothing, traces } from './storage.js';
import {
  composer,
  message,
  messageHits,
  openDiscussion,
  searchBox,
  send,
  sendAndReceive,
  sidebar,
} from './ui.js';

test('a removed member keeps nothing of the discussion, even after reloading offline', async ({
  palabre,
  pageAs,
}) => {
  const [karim, sophie, thomas] = await palabre.createUsers('Karim Haddad', 'Sophie Leroy', 'Thomas Petit');
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], 'Projet confidentiel');
  const karimPage = await pageAs(karim, 'Projet confidentiel');
  await send(karimPage, 'Le budget secret est de 42 000 €.');
  const page = await pageAs(sophie, 'Projet confidentiel');
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

test('signing out leaves nothing of the user in the browser, and the next person sees none of it', async ({
  palabre,
  pageAs,
}) => {
  const [claire, francois, elodie, thomas] = await palabre.createUsers(
    'Claire Martin',
    'François Dupont',
    'Élodie Bernard',
    'Thomas Petit',
  );
  const { id } = await palabre.createDiscussion(claire, [francois.id, elodie.id], 'Plan de relance');
  // A discussion she never opens: the background sync copies it to the device all the same.
  const other = await palabre.createDiscussion(francois, [claire.id, elodie.id], 'Budget 2027');
  await palabre.postMessages(francois, other.id, ['Les chiffres du budget sont confidentiels.']);
  // Thomas, who signs in after her on the same browser, has a discussion of his own.
  const his = await palabre.createDiscussion(thomas, [francois.id, elodie.id], 'Atelier');
  await palabre.postMessages(thomas, his.id, ['Réunion atelier jeudi.']);

  const page = await pageAs(claire, 'Plan de relance');
  await send(page, 'Réunion demain à 9 h.');
  // She has it all on the device: both documents, the sidebar facts, the painted tail, and the
  // search index holding both texts.
  await searchBox(page).fill('confidentiels');
  await expect(messageHits(page)).toHaveCount(1);
  const search = `palabre:${claire.id}:search`;
  for (const text of ['Réunion demain', 'budget sont confidentiels']) {
    await expect.poll(async () => (await traces(page, [text])).databases).toContain(search);
    await expect.poll(async () => (await traces(page, [text])).local.length).toBeGreaterThan(0);
  }
  await searchBox(page).fill('');

  // The server ends the session's sockets (4401) as it signs her out, before it answers; let that
  // close win the race against the answer every time, as it does on a slow network.
  await page.route('**/api/auth/logout', async (route) => {
    const response = await route.fetch();
    await page.waitForURL(/\/login/);
    await route.fulfill({ response });
  });
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login/);
  const needles = [
    id,
    other.id,
    'Plan de relance',
    'Budget 2027',
    'Réunion demain',
    'budget sont confidentiels',
  ];
  await expect.poll(() => traces(page, [claire.id, ...needles])).toEqual(nothing);
  await page.unroute('**/api/auth/logout');

  // Thomas signs in on this browser: his own discussion, nothing of hers, not even by search.
  await loginAs(page, thomas);
  await expect(sidebar(page).getByRole('link', { name: 'Atelier' })).toBeVisible();
  await expect(sidebar(page).getByRole('link', { name: /Plan de relance|Budget 2027/ })).toHaveCount(0);
  // « reunion » would find her « Réunion demain » too, were anything of her index left.
  await searchBox(page).fill('reunion');
  await expect(messageHits(page)).toHaveCount(1);
  await expect(messageHits(page)).toContainText('Réunion atelier jeudi.');
  expect(await traces(page, needles)).toEqual(nothing);
});

test('a tab never holds more than 4 WebSockets, whatever the number of out-of-date discussions', async ({
  palabre,
  browser,
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
  // Every discussion is newer than anything on her device (she never synced any of them). Her
  // sockets are counted from the first one the tab opens, on a slow network (what the server
  // says arrives 150 ms late), so that background syncs last long enough to overlap.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.routeWebSocket(/\/(sync|api\/events)/, (ws) => {
    let closed = false;
    const server = ws.connectToServer();
    server.onMessage((data) => setTimeout(() => !closed && ws.send(data), 150));
    server.onClose((code, reason) =>
      setTimeout(() => {
        closed = true;
        void ws.close({ code, reason });
      }, 150),
    );
    ws.onClose((code, reason) => {
      closed = true;
      void server.close({ code, reason });
    });
  });
  let open = 0;
  let most = 0;
  const synced = new Set<string>();
  page.on('websocket', (ws) => {
    most = Math.max(most, ++open);
    ws.on('close', () => {
      open--;
      synced.add(ws.url().split('/sync/')[1]?.split('?')[0] ?? '');
    });
  });
  await loginAs(page, me);
  await openDiscussion(page, 'Sujet 0');
  // The background pool syncs every other discussion, two at a time, and lets each go: done
  // once each had its socket closed, leaving the events socket and the open thread's.
  await expect
    .poll(() => ids.slice(1).every((id) => synced.has(id)) && open === 2, { timeout: 60_000 })
    .toBe(true);
  expect(most).toBeGreaterThan(2);
  expect(most).toBeLessThanOrEqual(4);
  await context.close();
});

test('two tabs of one user stay in step without the network (BroadcastChannel)', async ({
  palabre,
  browser,
}) => {
  const [sophie, karim] = await palabre.createUsersInDiscussion(['Sophie Leroy', 'Karim Haddad']);
  const context = await browser.newContext();
  const first = await context.newPage();
  await loginAs(first, sophie);
  await openDiscussion(first, karim.displayName);
  const second = await context.newPage();
  await second.goto(first.url());
  await expect(composer(second)).toBeVisible();
  await context.setOffline(true);
  await sendAndReceive(first, 'Écrit dans le premier onglet, hors ligne.', second);
  await sendAndReceive(second, 'Et celui-ci dans le second.', first);
  await context.setOffline(false);
  await context.close();
});

test('a role change (4409) and a server restart (4503) make the client reconnect', async ({
  palabre,
  pageAs,
}) => {
  const [karim, sophie, thomas] = await palabre.createUsers('Karim Haddad', 'Sophie Leroy', 'Thomas Petit');
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], 'Annonces');
  const karimPage = await pageAs(karim, 'Annonces');
  const page = await pageAs(sophie, 'Annonces');
  await expect(composer(page)).toBeVisible();
  const syncSockets: string[] = [];
  page.on('websocket', (ws) => {
    if (ws.url().includes(`/sync/${id}`)) syncSockets.push(ws.url());
  });

  // 4409: her rights change while connected; she reconnects with the new ones and keeps reading live.
  await palabre.setRole(id, sophie.id, 'reader');
  await expect(page.getByText(/Vous êtes lecteur/)).toBeVisible();
  await expect.poll(() => syncSockets.length).toBeGreaterThan(0);
  await sendAndReceive(karimPage, 'Inventaire vendredi.', page);

  // 4503: the server shuts down and comes back; the client reconnects by itself.
  const before = syncSockets.length;
  await palabre.stop();
  await palabre.start();
  await expect.poll(() => syncSockets.length, { timeout: 45_000 }).toBeGreaterThan(before);
  await send(karimPage, 'De retour après le redémarrage.');
  await expect(message(page, 'De retour après le redémarrage.')).toBeVisible({ timeout: 45_000 });
});
