/**
 * The main screens on a laptop and on a phone, saved to test-results/screens/ for a human to
 * look at, each with a check that what matters is on screen and nothing spills sideways.
 */
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { composer, message, messageLog, openDiscussion, send, sidebar } from './ui.js';

const SCREENS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, phone: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, phone: true },
];

async function shoot(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.screenshot({
    path: join(testInfo.project.outputDir, 'screens', `${screen}-${width}x${height}.png`),
  });
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'the page is wider than the screen').toBeLessThanOrEqual(0);
}

for (const { name, viewport, phone } of SCREENS) {
  test.describe(`${name} ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport, isMobile: phone, hasTouch: phone });

    test('login, discussions, thread and contact picker fit the screen', async ({
      palabre,
      page,
      pageAs,
    }, testInfo) => {
      const claire = await palabre.createUser('Claire Martin');
      const francois = await palabre.createUser('François Dupont');
      const karim = await palabre.createUser('Karim Haddad');
      await palabre.createDiscussion(claire, [francois.id, karim.id], 'Urgences SAV');
      await palabre.createDiscussion(claire, [francois.id]);
      await palabre.createDiscussion(karim, [claire.id]);

      // Login.
      await page.goto('/login');
      for (const field of [page.getByLabel('Identifiant'), page.getByLabel('Mot de passe')]) {
        await expect(field).toBeInViewport({ ratio: 1 });
      }
      await expect(page.getByRole('button', { name: 'Se connecter' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(page);
      await shoot(page, testInfo, 'login');

      // A thread with a conversation in it.
      const francoisPage = await pageAs(francois);
      const clairePage = await pageAs(claire);
      await openDiscussion(clairePage, francois.displayName);
      await openDiscussion(francoisPage, claire.displayName);
      await send(clairePage, 'Bonjour François, as-tu reçu le devis pour le client Dubois ?');
      await send(francoisPage, 'Oui, je le relis ce matin et je te fais un retour avant midi.');
      await send(clairePage, 'Parfait, merci !');
      await send(
        francoisPage,
        'Petite remarque : la remise de 12 % ne s’applique qu’à la deuxième tranche, je corrige et je renvoie la version finale à tout le monde, y compris au service comptable.',
      );
      const last = message(clairePage, 'y compris au service comptable');
      await expect(last).toBeInViewport();
      await expect(composer(clairePage)).toBeInViewport({ ratio: 1 });
      await expect(
        clairePage.getByRole('heading', { level: 1, name: francois.displayName }),
      ).toBeInViewport();
      await expect(messageLog(clairePage).getByRole('article')).toHaveCount(4);
      if (phone) {
        await expect(clairePage.getByRole('button', { name: 'Retour aux discussions' })).toBeInViewport();
        await expect(sidebar(clairePage)).toBeHidden();
      }
      await expectNoSidewaysScroll(clairePage);
      await shoot(clairePage, testInfo, 'thread');

      // The discussions list.
      await clairePage.goto('/discussions');
      const list = sidebar(clairePage);
      for (const title of [francois.displayName, 'Urgences SAV', karim.displayName]) {
        await expect(list.getByRole('link', { name: title })).toBeInViewport({ ratio: 1 });
      }
      await expect(list.getByRole('link', { name: francois.displayName })).toContainText(
        'y compris au service comptable',
      );
      await expect(list.getByRole('button', { name: 'Nouvelle discussion' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(clairePage);
      await shoot(clairePage, testInfo, 'discussions');

      // The contact picker, two colleagues ticked.
      await list.getByRole('button', { name: 'Nouvelle discussion' }).click();
      const dialog = clairePage.getByRole('dialog', { name: 'Nouvelle discussion' });
      await dialog.getByRole('checkbox', { name: francois.displayName, exact: true }).check();
      await dialog.getByRole('checkbox', { name: karim.displayName, exact: true }).check();
      await expect(dialog.getByLabel('Nom du groupe')).toBeInViewport({ ratio: 1 });
      await expect(dialog.getByLabel('Rechercher un contact')).toBeInViewport({ ratio: 1 });
      await expect(dialog.getByRole('button', { name: 'Démarrer une discussion' })).toBeInViewport({
        ratio: 1,
      });
      await expect(dialog.getByRole('button', { name: 'Annuler' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(clairePage);
      await shoot(clairePage, testInfo, 'picker');
    });
  });
}
