/**
 * Every screen passes axe-core with no serious or critical violation, at desktop and phone
 * widths: login, the discussion list, a thread with messages, the contact picker, the members
 * panel and each administration section. Screenshots go to test-results/a11y/ for a human to see.
 */
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { message, openDiscussion, send, sendAndReceive, sidebar } from './ui.js';

/** Every screen is judged and reported, the test going on to the next one. */
const JUDGED = { folder: 'a11y', soft: true };

const SCREENS = [
  {
    name: 'desktop',
    viewport: { width: 1280, height: 800 },
    phone: false,
    cast: ['Aurélie Dumas', 'Bastien Royer', 'Céline Vasseur'],
  },
  {
    name: 'phone',
    viewport: { width: 390, height: 844 },
    phone: true,
    cast: ['Damien Perrin', 'Estelle Rivière', 'Fabrice Lucas'],
  },
];

for (const { name, viewport, phone, cast } of SCREENS) {
  test.describe(`${name} ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport, isMobile: phone, hasTouch: phone });
    // Ten screens, each analysed by axe: longer than one user story on 2 shared cores.
    test.setTimeout(180_000);

    test('every screen passes axe-core with no serious violation', async ({
      palabre,
      page,
      pageAs,
    }, testInfo) => {
      const [me, colleague, third] = await Promise.all(
        cast.map((person, i) => palabre.createUser(person, i === 0 ? 'admin' : 'user')),
      );
      await palabre.createDiscussion(me, [colleague.id, third.id], 'Comité de pilotage');
      await palabre.createDiscussion(me, [colleague.id]);

      await page.goto('/login');
      await expect(page.getByRole('button', { name: 'Se connecter' })).toBeVisible();
      await expectAccessible(page, testInfo, 'login', JUDGED);

      const myPage = await pageAs(me);
      const colleaguePage = await pageAs(colleague);
      await expect(sidebar(myPage).getByRole('link', { name: 'Comité de pilotage' })).toBeVisible();
      await expectAccessible(myPage, testInfo, 'discussions', JUDGED);

      // A thread with messages of both sides, one of them waiting to leave.
      await openDiscussion(myPage, colleague.displayName);
      await openDiscussion(colleaguePage, me.displayName);
      await send(myPage, 'Bonjour, la réunion de jeudi est maintenue ?');
      await sendAndReceive(colleaguePage, 'Oui, à 14 h, salle Garonne.', myPage);
      await myPage.context().setOffline(true);
      await send(myPage, 'Parfait, je préviens l’équipe.');
      await expect(message(myPage, 'je préviens l’équipe')).toContainText('En attente');
      await expectAccessible(myPage, testInfo, 'thread', JUDGED);
      await myPage.context().setOffline(false);

      // The message log scrolls: the keyboard reaches it.
      const log = myPage.getByRole('log', { name: 'Messages' });
      await expect(log).toHaveAttribute('tabindex', '0');

      // The contact picker, with a colleague ticked.
      if (phone) await myPage.getByRole('button', { name: 'Retour aux discussions' }).click();
      await sidebar(myPage).getByRole('button', { name: 'Nouvelle discussion' }).click();
      const picker = myPage.getByRole('dialog', { name: 'Nouvelle discussion' });
      await picker.getByRole('checkbox', { name: colleague.displayName, exact: true }).check();
      await picker.getByRole('checkbox', { name: third.displayName, exact: true }).check();
      await expectAccessible(myPage, testInfo, 'picker', JUDGED);
      await picker.getByRole('button', { name: 'Annuler' }).click();

      // The members panel of a group I own.
      await openDiscussion(myPage, 'Comité de pilotage');
      await myPage.getByRole('button', { name: 'Membres', exact: true }).click();
      const panel = myPage.getByRole('dialog', { name: 'Membres de la discussion' });
      await expect(panel.getByRole('button', { name: `Retirer ${third.displayName}` })).toBeVisible();
      await expectAccessible(myPage, testInfo, 'members', JUDGED);
      await panel.getByRole('button', { name: 'Fermer' }).click();

      // Each administration section.
      await myPage.goto('/admin');
      await expect(myPage.getByRole('table', { name: 'Comptes de l’organisation' })).toBeVisible();
      await expectAccessible(myPage, testInfo, 'admin-users', JUDGED);
      const sections = {
        groups: 'Groupes',
        audit: "Journal d'audit",
        tokens: "Jetons d'API",
        retention: 'Conservation',
        backups: 'Sauvegardes',
      };
      for (const [section, title] of Object.entries(sections)) {
        await myPage.goto(`/admin/${section}`);
        await expect(myPage.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
        // The section is judged once its data is shown (not « networkidle »: the search's
        // SharedWorker script never counts as finished for the page).
        await expect(myPage.getByRole('heading', { level: 2, name: title })).toBeVisible();
        await expect(myPage.getByRole('status').filter({ hasText: 'Chargement' })).toHaveCount(0);
        await expectAccessible(myPage, testInfo, `admin-${section}`, JUDGED);
      }
    });
  });
}
