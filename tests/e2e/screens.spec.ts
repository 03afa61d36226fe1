/**
 * The main screens on a laptop and on a phone, saved to test-results/screens/ for a human to
 * look at, each with a check that what matters is on screen and nothing spills sideways.
 */
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { composer, connectionStatus, message, messages, openDiscussion, send, sidebar } from './ui.js';

// People per screen size and test, so that no name gets a number added by the fixture (see createUser).
const SCREENS = [
  {
    name: 'desktop',
    viewport: { width: 1280, height: 800 },
    phone: false,
    cast: ['Camille Roux', 'Julien Moreau', 'Inès Lambert'],
    crew: ['Margaux Blanc', 'Antoine Faure', 'Chloé Mercier'],
  },
  {
    name: 'phone',
    viewport: { width: 390, height: 844 },
    phone: true,
    cast: ['Léa Fontaine', 'Hugo Girard', 'Nathalie Caron'],
    crew: ['Pauline Morel', 'Mathieu Garnier', 'Yasmine Benali'],
  },
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

for (const { name, viewport, phone, cast, crew } of SCREENS) {
  test.describe(`${name} ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport, isMobile: phone, hasTouch: phone });

    test('login, discussions, thread and contact picker fit the screen', async ({
      palabre,
      page,
      pageAs,
    }, testInfo) => {
      const [me, colleague, third] = await Promise.all(cast.map((person) => palabre.createUser(person)));
      // A colleague with a long name and username: the picker cuts it, never widens past the screen.
      await palabre.createUser('Marie-Alexandrine de La Rochefoucauld-Montbazon');
      await palabre.createDiscussion(me, [colleague.id, third.id], 'Urgences SAV');
      await palabre.createDiscussion(me, [colleague.id]);
      await palabre.createDiscussion(third, [me.id]);

      // Login.
      await page.goto('/login');
      for (const field of [page.getByLabel('Identifiant'), page.getByLabel('Mot de passe')]) {
        await expect(field).toBeInViewport({ ratio: 1 });
      }
      await expect(page.getByRole('button', { name: 'Se connecter' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(page);
      await shoot(page, testInfo, 'login');

      // A thread with a conversation in it.
      const colleaguePage = await pageAs(colleague);
      const myPage = await pageAs(me, colleague.displayName);
      await openDiscussion(colleaguePage, me.displayName);
      await send(myPage, 'Bonjour, as-tu reçu le devis pour le client Dubois ?');
      await send(colleaguePage, 'Oui, je le relis ce matin et je te fais un retour avant midi.');
      await send(myPage, 'Parfait, merci !');
      await send(
        colleaguePage,
        'Petite remarque : la remise de 12 % ne s’applique qu’à la deuxième tranche, je corrige et je renvoie la version finale à tout le monde, y compris au service comptable.',
      );
      const last = message(myPage, 'y compris au service comptable');
      await expect(last).toBeInViewport();
      await expect(composer(myPage)).toBeInViewport({ ratio: 1 });
      await expect(myPage.getByRole('heading', { level: 1, name: colleague.displayName })).toBeInViewport();
      await expect(messages(myPage)).toHaveCount(4);
      if (phone) {
        await expect(myPage.getByRole('button', { name: 'Retour aux discussions' })).toBeInViewport();
        await expect(sidebar(myPage)).toBeHidden();
      }
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'thread');

      // The discussions list.
      await myPage.goto('/discussions');
      const list = sidebar(myPage);
      for (const title of [colleague.displayName, 'Urgences SAV', third.displayName]) {
        await expect(list.getByRole('link', { name: title })).toBeInViewport({ ratio: 1 });
      }
      await expect(list.getByRole('link', { name: colleague.displayName })).toContainText('Petite remarque');
      await expect(list.getByRole('button', { name: 'Nouvelle discussion' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'discussions');

      // The contact picker, two colleagues ticked.
      await list.getByRole('button', { name: 'Nouvelle discussion' }).click();
      const dialog = myPage.getByRole('dialog', { name: 'Nouvelle discussion' });
      await dialog.getByRole('checkbox', { name: colleague.displayName, exact: true }).check();
      await dialog.getByRole('checkbox', { name: third.displayName, exact: true }).check();
      await expect(dialog.getByLabel('Nom du groupe')).toBeInViewport({ ratio: 1 });
      await expect(dialog.getByLabel('Rechercher un contact')).toBeInViewport({ ratio: 1 });
      await expect(dialog.getByRole('button', { name: 'Démarrer une discussion' })).toBeInViewport({
        ratio: 1,
      });
      await expect(dialog.getByRole('button', { name: 'Annuler' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'picker');
      await dialog.getByRole('button', { name: 'Annuler' }).click();

      // The thread offline, one message waiting to leave.
      await openDiscussion(myPage, colleague.displayName);
      await myPage.context().setOffline(true);
      await send(myPage, 'Je suis dans le train, je regarde ça en arrivant.');
      await expect(message(myPage, 'Je suis dans le train')).toContainText('En attente');
      await expect(message(myPage, 'Je suis dans le train')).toBeInViewport();
      await expect(connectionStatus(myPage)).toContainText('1 message en attente');
      await expect(connectionStatus(myPage)).toBeInViewport({ ratio: 1 });
      await expect(composer(myPage)).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'thread-offline');
      await myPage.context().setOffline(false);
    });

    test('the members panel and the administration fit the screen', async ({ palabre, pageAs }, testInfo) => {
      const [me, colleague, third] = await Promise.all(
        crew.map((person, i) => palabre.createUser(person, i === 0 ? 'admin' : 'user')),
      );
      await palabre.createDiscussion(me, [colleague.id, third.id], 'Urgences SAV');
      const myPage = await pageAs(me);

      await openDiscussion(myPage, 'Urgences SAV');
      await myPage.getByRole('button', { name: 'Membres', exact: true }).click();
      const panel = myPage.getByRole('dialog', { name: 'Membres de la discussion' });
      for (const person of [colleague, third]) {
        await expect(panel.getByRole('button', { name: `Retirer ${person.displayName}` })).toBeInViewport({
          ratio: 1,
        });
        await expect(panel.getByRole('combobox', { name: `Rôle de ${person.displayName}` })).toBeInViewport({
          ratio: 1,
        });
      }
      await expect(panel.getByRole('button', { name: 'Fermer' })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'members');
      await panel.getByRole('button', { name: 'Fermer' }).click();

      await myPage.getByRole('link', { name: 'Administration' }).click();
      const users = myPage.getByRole('table', { name: 'Comptes de l’organisation' });
      await expect(users.getByRole('row').filter({ hasText: colleague.displayName })).toBeVisible();
      await expect(myPage.getByRole('heading', { level: 1, name: 'Administration' })).toBeInViewport();
      await expectNoSidewaysScroll(myPage);
      await shoot(myPage, testInfo, 'admin');
    });
  });
}
