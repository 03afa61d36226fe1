/** Issue 2: colleagues find each other, chat live, keep their history, and read it in French or English. */
import { expect, test } from './fixtures.js';
import {
  composer,
  containing,
  message,
  messages,
  openDiscussion,
  send,
  sendAndReceive,
  sidebar,
  startDiscussion,
} from './ui.js';

const TIME = /\d{1,2}:\d{2}/;

test('a new user finds a colleague without typing the accent, and they chat live', async ({
  palabre,
  pageAs,
}) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  const francoisPage = await pageAs(francois);
  const clairePage = await pageAs(claire);

  await clairePage
    .getByRole('navigation', { name: 'Navigation principale' })
    .getByRole('link', { name: 'Discussions' })
    .click();
  // The username (« fdupont.… ») does not contain « francois »: only the accent-free name matches.
  const id = await startDiscussion(clairePage, [{ search: 'francois', name: francois.displayName }]);
  await expect(clairePage.getByRole('heading', { level: 1, name: francois.displayName })).toBeVisible();
  await send(clairePage, 'Bonjour François, as-tu reçu le devis ?');

  // François, already signed in elsewhere, sees the discussion arrive without reloading.
  await expect(sidebar(francoisPage).getByRole('link', { name: claire.displayName })).toContainText(
    'Bonjour François, as-tu reçu le devis ?',
  );
  await openDiscussion(francoisPage, claire.displayName);
  await expect(message(francoisPage, 'Bonjour François, as-tu reçu le devis ?')).toBeVisible();

  // Shift+Enter breaks the line inside one message; Enter sends it.
  const box = composer(clairePage);
  await box.fill('Première ligne');
  await box.press('Shift+Enter');
  await box.pressSequentially('Deuxième ligne');
  await expect(box).toHaveValue('Première ligne\nDeuxième ligne');
  await box.press('Enter');
  await expect(box).toHaveValue('');

  const twoLines = message(francoisPage, 'Première ligne');
  await expect(twoLines).toContainText(/Première ligne\nDeuxième ligne/);
  await sendAndReceive(francoisPage, 'Oui, je te réponds avant midi.', clairePage);

  // After a reload both see the whole history, in order, each message with its author and time.
  const history = [
    { author: claire.displayName, text: 'Bonjour François, as-tu reçu le devis ?' },
    { author: claire.displayName, text: 'Deuxième ligne' },
    { author: francois.displayName, text: 'Oui, je te réponds avant midi.' },
  ];
  for (const page of [clairePage, francoisPage]) {
    await page.reload();
    await expect(messages(page)).toHaveText(containing(history.map((m) => m.text)));
    for (const { author, text } of history) {
      await expect(message(page, text)).toContainText(author);
      await expect(message(page, text)).toContainText(TIME);
    }
  }

  // Starting the same direct discussion again reopens it: still one entry in the sidebar.
  await clairePage.goto('/discussions');
  const again = await startDiscussion(clairePage, [{ search: 'francois', name: francois.displayName }]);
  expect(again).toBe(id);
  await expect(message(clairePage, 'Oui, je te réponds avant midi.')).toBeVisible();
  await expect(sidebar(clairePage).getByRole('link', { name: francois.displayName })).toHaveCount(1);
  await expect.poll(async () => (await palabre.discussionsOf(claire)).length).toBe(1);
});

test('three colleagues in a named group all see every message', async ({ palabre, pageAs }) => {
  const [karim, sophie, elodie] = await palabre.createUsers('Karim Haddad', 'Sophie Leroy', 'Élodie Bernard');
  const pages = {
    karim: await pageAs(karim),
    sophie: await pageAs(sophie),
    elodie: await pageAs(elodie),
  };

  await startDiscussion(
    pages.karim,
    [
      { search: 'sophie', name: sophie.displayName },
      { search: 'elodie', name: elodie.displayName },
    ],
    'Urgences SAV',
  );
  await expect(pages.karim.getByRole('heading', { level: 1, name: 'Urgences SAV' })).toBeVisible();
  await expect(pages.karim.getByText('3 membres')).toBeVisible();
  await send(pages.karim, 'La ligne 2 est à l’arrêt chez Garnier.');

  for (const page of [pages.sophie, pages.elodie]) await openDiscussion(page, 'Urgences SAV');
  await send(pages.sophie, 'J’appelle le client.');
  await send(pages.elodie, 'Je passe sur place cet après-midi.');

  const all = [
    { author: karim.displayName, text: 'La ligne 2 est à l’arrêt chez Garnier.' },
    { author: sophie.displayName, text: 'J’appelle le client.' },
    { author: elodie.displayName, text: 'Je passe sur place cet après-midi.' },
  ];
  for (const page of Object.values(pages)) {
    await expect(messages(page)).toHaveText(containing(all.map((m) => m.text)));
    for (const { author, text } of all) await expect(message(page, text)).toContainText(author);
  }
});

test('a wrong password is refused with an alert', async ({ palabre, page }) => {
  const claire = await palabre.createUser('Claire Martin');

  await page.goto('/login');
  await page.getByLabel('Identifiant').fill(claire.username);
  await page.getByLabel('Mot de passe').fill('not-her-password');
  await page.getByRole('button', { name: 'Se connecter' }).click();

  await expect(page.getByRole('alert')).toHaveText('Identifiant ou mot de passe incorrect.');
  await expect(page).toHaveURL(/\/login/);
});

test('English can be chosen and the labels switch', async ({ palabre, pageAs }) => {
  const claire = await palabre.createUser('Claire Martin');
  const page = await pageAs(claire);

  await page.getByLabel('Langue').selectOption('English');

  await expect(sidebar(page).getByRole('button', { name: 'New discussion' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByLabel('Language')).toBeVisible();
  // The choice is remembered on this device.
  await page.reload();
  await expect(sidebar(page).getByRole('button', { name: 'New discussion' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
