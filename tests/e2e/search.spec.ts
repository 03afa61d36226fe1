/**
 * Issue 9: the search bar at the top of the discussion list finds discussions by colleague and
 * messages by keyword, across every discussion, offline too, and opens a message in its history.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, loginAs, test, type PalabreServer, type TestUser } from './fixtures.js';
import { storedText } from './storage.js';
import {
  composer,
  installedForOffline,
  message,
  messageHits,
  openDiscussion,
  searchBox,
  searchResults as results,
  send,
  sidebar,
} from './ui.js';

/** All the text of the search database of this browser (records and snapshot), in lower case. */
const searchStoreText = async (page: Page) =>
  (await storedText(page, (name) => name.endsWith(':search'))).toLowerCase();

/** A discussion with François whose 100-message history hides one message about the report. */
async function history(palabre: PalabreServer, francois: TestUser, claire: TestUser) {
  const { id } = await palabre.createDiscussion(francois, [claire.id]);
  const texts = Array.from({ length: 100 }, (_, i) => `Point de suivi numéro ${i + 1}`);
  texts[30] = "Le rapport trimestriel de l'équipe est prêt, je l'envoie ce soir.";
  const records = await palabre.postMessages(francois, id, texts);
  return { id, target: records[30], before: records[29] };
}

test('a keyword finds a colleague’s message in another discussion and opens it in its history', async ({
  palabre,
  pageAs,
}) => {
  const [claire, francois, elodie] = await palabre.createUsers(
    'Claire Martin',
    'François Dupont',
    'Élodie Bernard',
  );
  const { id, target, before } = await history(palabre, francois, claire);
  await palabre.createDiscussion(claire, [elodie.id]);

  const page = await pageAs(claire, elodie.displayName);

  // « fran » finds the discussion with François; the accent-free keywords find his message.
  await searchBox(page).fill('fran');
  await expect(results(page).getByRole('group', { name: 'Discussions' })).toContainText(francois.displayName);
  await searchBox(page).fill('equipe trimestriel');
  const hit = messageHits(page).filter({ hasText: 'trimestriel' });
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText(francois.displayName);
  await expect(hit.locator('mark')).toHaveText(['trimestriel', 'équipe']);

  await hit.click();
  await expect(page).toHaveURL(new RegExp(`/discussions/${id}\\?m=${target.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: francois.displayName })).toBeVisible();
  const found = message(page, 'Le rapport trimestriel');
  await expect(found).toBeInViewport();
  await expect(found).toHaveClass(/found/);
  // With the history around it, far from the latest messages.
  await expect(message(page, before.text)).toBeAttached();

  // Keyboard: arrows then Enter open a hit; Escape clears the search and shows the list again.
  await searchBox(page).fill('suivi numéro 7');
  await expect(messageHits(page).first()).toBeVisible();
  await searchBox(page).press('ArrowDown');
  await expect(searchBox(page)).toHaveAttribute('aria-activedescendant', 'search-option-0');
  await searchBox(page).press('Enter');
  await expect(page).toHaveURL(/\?m=/);
  await searchBox(page).press('Escape');
  await expect(searchBox(page)).toHaveValue('');
  await expect(sidebar(page).getByRole('link', { name: elodie.displayName })).toBeVisible();

  // Signing out forgets the search index with everything else.
  const databases = () =>
    page.evaluate(async () =>
      (await indexedDB.databases()).map((db) => db.name ?? '').filter((n) => n.endsWith(':search')),
    );
  expect(await databases()).toHaveLength(1);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect.poll(databases).toEqual([]);
});

test('search works with the network cut, from the copy on this device', async ({ palabre, pageAs }) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  const { id, target } = await history(palabre, francois, claire);

  const page = await pageAs(claire);
  await installedForOffline(page);
  // Online first: the background sync copies the discussion, the worker indexes it.
  await searchBox(page).fill('trimestriel');
  await expect(messageHits(page)).toHaveCount(1);

  await page.context().setOffline(true);
  await page.reload();
  await searchBox(page).fill('rapport trimestriel');
  const hit = messageHits(page).filter({ hasText: 'trimestriel' });
  await expect(hit).toHaveCount(1);
  await hit.click();
  await expect(page).toHaveURL(new RegExp(`/discussions/${id}\\?m=${target.id}$`));
  await expect(message(page, 'Le rapport trimestriel')).toBeInViewport();
  // My own message written offline is found too, still « En attente ».
  const box = page.getByRole('textbox', { name: 'Écrire un message' });
  await box.fill('Budget prévisionnel à relire');
  await box.press('Enter');
  await expect(message(page, 'Budget prévisionnel')).toContainText('En attente');
  await searchBox(page).fill('previsionnel');
  await expect(messageHits(page).filter({ hasText: 'Budget prévisionnel' })).toHaveCount(1);
});

test('while a filter key is typed the results stay open and say what to type, then the filter applies', async ({
  palabre,
  pageAs,
}) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  await history(palabre, francois, claire);

  const page = await pageAs(claire);
  await expect(sidebar(page).getByRole('link', { name: francois.displayName })).toBeVisible();
  // « de » searches words; « de: » has nothing to search yet: the list of discussions does not
  // come back in between, the results say what can be typed.
  await searchBox(page).pressSequentially('de');
  await expect(results(page)).toBeVisible();
  await searchBox(page).pressSequentially(':');
  await expect(results(page).getByRole('status')).toHaveText(/^Mots, ou filtres : de:nom/);
  await expect(searchBox(page)).toHaveAttribute('aria-expanded', 'true');
  await expect(sidebar(page).getByRole('link', { name: francois.displayName })).toBeHidden();

  await searchBox(page).pressSequentially('fran rapport');
  const hit = messageHits(page).filter({ hasText: 'trimestriel' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText('rapport');
  await searchBox(page).press('ArrowDown');
  await expect(searchBox(page)).toHaveAttribute('aria-activedescendant', 'search-option-0');
});

test('a message received while the results are open shows up in them', async ({ palabre, pageAs }) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  const { id } = await palabre.createDiscussion(francois, [claire.id]);
  await palabre.postMessages(francois, id, ['Bonjour Claire']);

  const page = await pageAs(claire);
  await searchBox(page).fill('livraison');
  await expect(results(page)).toContainText('Aucun résultat');

  await palabre.postMessages(francois, id, ['La livraison des palettes arrive demain matin']);
  const hit = messageHits(page).filter({ hasText: 'livraison' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText('livraison');
});

test('an edited message’s old text and a deleted message are no longer found, live, in every tab and after a reload', async ({
  palabre,
  pageAs,
}) => {
  const [alice, bruno] = await palabre.createUsersInDiscussion(['Alice Lambert', 'Bruno Fontaine']);
  const alicePage = await pageAs(alice);
  const brunoPage = await pageAs(bruno);
  // Bruno's second tab: the same index (one shared worker), told of every change.
  const brunoTab2 = await brunoPage.context().newPage();
  await brunoTab2.goto('/discussions');
  await openDiscussion(alicePage, bruno.displayName);

  await send(alicePage, 'Facture Zorglub à relancer vendredi');
  await send(alicePage, 'Le devis Gloubiboulga est validé');
  for (const page of [brunoPage, brunoTab2]) {
    await searchBox(page).fill('vendredi');
    await expect(messageHits(page).filter({ hasText: 'Zorglub' })).toHaveCount(1);
  }
  await searchBox(brunoTab2).fill('gloubiboulga');
  await expect(messageHits(brunoTab2)).toHaveCount(1);

  // Alice edits « vendredi » away while Bruno's results are on screen.
  const edited = message(alicePage, 'Facture Zorglub');
  await edited.hover();
  await edited.getByRole('button', { name: 'Modifier' }).click();
  await composer(alicePage).fill('Facture Zorglub à relancer lundi');
  await composer(alicePage).press('Enter');
  await expect(results(brunoPage)).toContainText('Aucun résultat');
  await searchBox(brunoPage).fill('lundi');
  await expect(messageHits(brunoPage).filter({ hasText: 'Zorglub' })).toHaveCount(1);
  await expect(messageHits(brunoPage).filter({ hasText: 'Zorglub' }).locator('mark')).toHaveText('lundi');

  // Alice deletes the other message while Bruno's other tab shows it.
  const doomed = message(alicePage, 'Gloubiboulga');
  await doomed.hover();
  await doomed.getByRole('button', { name: 'Supprimer' }).click();
  await alicePage
    .getByRole('alertdialog', { name: 'Supprimer ce message ?' })
    .getByRole('button', { name: 'Supprimer' })
    .click();
  await expect(results(brunoTab2)).toContainText('Aucun résultat');

  await searchBox(alicePage).fill('zorglub');
  await expect(messageHits(alicePage)).toHaveCount(1);
  await expect(messageHits(alicePage).locator('mark')).toHaveText('Zorglub');
  // The stored index forgets them too (text and words), and a cold start finds nothing of them.
  for (const page of [alicePage, brunoPage]) {
    await expect.poll(() => searchStoreText(page), { timeout: 15_000 }).not.toContain('gloubiboulga');
    await expect.poll(() => searchStoreText(page), { timeout: 15_000 }).not.toContain('vendredi');
    await expect.poll(() => searchStoreText(page), { timeout: 15_000 }).toContain('zorglub');
  }
  await brunoTab2.close();
  await brunoPage.reload();
  for (const [q, count] of [
    ['vendredi', 0],
    ['gloubiboulga', 0],
    ['lundi', 1],
  ] as const) {
    await searchBox(brunoPage).fill(q);
    if (count === 0) await expect(results(brunoPage)).toContainText('Aucun résultat');
    else await expect(messageHits(brunoPage)).toHaveCount(count);
  }
});

test('without SharedWorker, each tab searches with its own worker, the Web Lock holder alone writes, and the next tab takes over', async ({
  palabre,
  browser,
}) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  const { id } = await palabre.createDiscussion(francois, [claire.id]);
  await palabre.postMessages(francois, id, ['Le dossier Quetzal est complet']);
  test.slow(); // two tabs, each with its own worker and index
  // A browser without SharedWorker (Chrome on Android): the page falls back to a dedicated worker.
  const context = await browser.newContext();
  try {
    await context.addInitScript(() => {
      delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
    });
    const tab1 = await context.newPage();
    await loginAs(tab1, claire);
    expect(await tab1.evaluate(() => typeof SharedWorker)).toBe('undefined');
    await searchBox(tab1).fill('quetzal');
    await expect(messageHits(tab1)).toHaveCount(1);
    const tab2 = await context.newPage();
    await tab2.goto('/discussions');
    // Two tabs and their workers starting on two cores: the second can take a while to answer.
    await expect(searchBox(tab2)).toBeEditable({ timeout: 30_000 });
    await searchBox(tab2).fill('quetzal');
    await expect(messageHits(tab2)).toHaveCount(1);

    // One writer: the first tab's worker holds the lock, the second one's waits for it.
    const locks = (page: Page) =>
      page.evaluate(async (name) => {
        const state = await navigator.locks.query();
        const named = (list: LockInfo[] | undefined) => (list ?? []).filter((l) => l.name === name).length;
        return { held: named(state.held), pending: named(state.pending) };
      }, `palabre:${claire.id}:search`);
    await expect.poll(() => locks(tab2)).toEqual({ held: 1, pending: 1 });

    // The first tab goes: the second tab's worker takes the lock, and writes what arrives next.
    await tab1.close();
    await expect.poll(() => locks(tab2)).toEqual({ held: 1, pending: 0 });
    await palabre.postMessages(francois, id, ['Le colis Ornithorynque est parti ce matin']);
    await searchBox(tab2).fill('ornithorynque');
    await expect(messageHits(tab2)).toHaveCount(1);
    await expect.poll(() => searchStoreText(tab2), { timeout: 15_000 }).toContain('ornithorynque');
    // A cold start of that tab loads what it wrote.
    await tab2.reload();
    await searchBox(tab2).fill('colis');
    await expect(messageHits(tab2)).toHaveCount(1);
  } finally {
    await context.close();
  }
});

for (const { name, viewport, phone } of [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, phone: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, phone: true },
]) {
  test.describe(`${name} ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport, isMobile: phone, hasTouch: phone });

    test('search results and the found message fit the screen', async ({ palabre, pageAs }, testInfo) => {
      const [claire, francois, elodie] = await palabre.createUsers(
        'Claire Martin',
        'François Dupont',
        'Élodie Bernard',
      );
      await history(palabre, francois, claire);
      const group = await palabre.createDiscussion(claire, [francois.id, elodie.id], 'Équipe commerciale');
      await palabre.postMessages(elodie, group.id, [
        'Le rapport de l’équipe commerciale sera présenté vendredi en réunion.',
        'Pensez à relire le rapport avant la réunion, surtout la partie sur les devis en attente.',
      ]);
      const page = await pageAs(claire);
      const shoot = (screen: string) =>
        page.screenshot({
          path: join(
            testInfo.project.outputDir,
            'screens',
            `${screen}-${viewport.width}x${viewport.height}.png`,
          ),
        });
      const noSidewaysScroll = async () =>
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        ).toBeLessThanOrEqual(0);

      await searchBox(page).fill('equipe');
      await expect(messageHits(page)).toHaveCount(2);
      await expect(results(page).getByRole('group', { name: 'Discussions' })).toContainText(
        'Équipe commerciale',
      );
      await expect(page.getByRole('group', { name: 'Filtres de recherche' })).toBeVisible();
      await expect(messageHits(page).first()).toBeInViewport();
      await noSidewaysScroll();
      await shoot('search-results');

      await messageHits(page).filter({ hasText: 'trimestriel' }).click();
      const found = message(page, 'Le rapport trimestriel');
      await expect(found).toBeInViewport();
      await noSidewaysScroll();
      await shoot('search-found');
    });
  });
}
