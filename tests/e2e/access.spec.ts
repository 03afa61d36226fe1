/** Issue 4: who may rename, manage members, write, and administer; changes take effect at once. */
import { expect, test } from './fixtures.js';
import { composer, message, messages, openDiscussionId, send, sendAndReceive, sidebar } from './ui.js';

test('the creator renames the group and removes a member, whose window loses it live', async ({
  palabre,
  chat,
}) => {
  const [karim, sophie, thomas] = await chat(['Karim Haddad', 'Sophie Leroy', 'Thomas Petit'], 'Atelier');
  const id = openDiscussionId(karim.page);
  await sendAndReceive(karim.page, 'Planning de la semaine en pièce jointe.', sophie.page);

  await karim.page.getByRole('button', { name: 'Renommer le groupe' }).click();
  await karim.page.getByLabel('Nom du groupe').fill('Atelier de Lyon');
  await karim.page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(karim.page.getByRole('heading', { level: 1, name: 'Atelier de Lyon' })).toBeVisible();
  // The other members see the new name without reloading.
  for (const page of [sophie.page, thomas.page]) {
    await expect(page.getByRole('heading', { level: 1, name: 'Atelier de Lyon' })).toBeVisible();
    await expect(sidebar(page).getByRole('link', { name: 'Atelier de Lyon' })).toBeVisible();
  }

  await karim.page.getByRole('button', { name: 'Membres', exact: true }).click();
  const panel = karim.page.getByRole('dialog', { name: 'Membres de la discussion' });
  await panel.getByRole('button', { name: `Retirer ${sophie.displayName}` }).click();
  const confirm = karim.page.getByRole('alertdialog', { name: `Retirer ${sophie.displayName} ?` });
  await confirm.getByRole('button', { name: 'Retirer de la discussion' }).click();

  // Sophie's open window loses the discussion at once and tells her why: out of her sidebar,
  // its messages gone from her screen.
  await expect(
    sophie.page.getByText(/ne faites plus partie de la discussion|n’y avez plus accès/),
  ).toBeVisible();
  await expect(sidebar(sophie.page).getByRole('link', { name: 'Atelier de Lyon' })).toHaveCount(0);
  await expect(sidebar(sophie.page).getByText('Aucune discussion pour l’instant.')).toBeVisible();
  await expect(sophie.page.getByText('Planning de la semaine en pièce jointe.')).toHaveCount(0);

  await expect(panel.getByRole('listitem').filter({ hasText: sophie.displayName })).toHaveCount(0);
  await expect
    .poll(async () => (await palabre.discussion(karim, id)).members.map((m) => m.userId).sort())
    .toEqual([karim.id, thomas.id].sort());

  // The others keep talking.
  await panel.getByRole('button', { name: 'Fermer' }).click();
  await sendAndReceive(karim.page, 'Sophie a rejoint l’équipe de Paris.', thomas.page);
  await expect(thomas.page.getByText('2 membres')).toBeVisible();
});

test('a reader reads the thread but has no way to write in it', async ({ palabre, pageAs }) => {
  const [karim, sophie, elodie] = await palabre.createUsers('Karim Haddad', 'Sophie Leroy', 'Élodie Bernard');
  const { id } = await palabre.createDiscussion(karim, [sophie.id, elodie.id], 'Annonces');
  await palabre.setRole(id, elodie.id, 'reader');
  const karimPage = await pageAs(karim, 'Annonces');
  await send(karimPage, 'Inventaire vendredi à 14 h.');

  const elodiePage = await pageAs(elodie, 'Annonces');
  await expect(message(elodiePage, 'Inventaire vendredi à 14 h.')).toContainText(karim.displayName);
  await expect(composer(elodiePage)).toHaveCount(0);
  await expect(elodiePage.getByText(/Vous êtes lecteur/)).toBeVisible();
  // A message sent after her role was set still reaches her live.
  await send(karimPage, 'Merci de confirmer votre présence.');
  await expect(messages(elodiePage)).toHaveCount(2);
});

test('an admin opens the administration and sees every account', async ({ palabre, pageAs }) => {
  const admin = await palabre.createUser('Nadia Admin', 'admin');
  const claire = await palabre.createUser('Claire Martin');
  const page = await pageAs(admin);

  await page
    .getByRole('navigation', { name: 'Navigation principale' })
    .getByRole('link', {
      name: 'Administration',
    })
    .click();
  await expect(page).toHaveURL(/\/admin/);
  await expect(page.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
  const users = page.getByRole('table', { name: 'Comptes de l’organisation' });
  await expect(users.getByRole('row').filter({ hasText: claire.username })).toContainText(claire.displayName);
  await expect(users.getByRole('row').filter({ hasText: admin.username })).toContainText('Administrateur');
});

test('a colleague without admin rights has no administration link nor page', async ({ palabre, pageAs }) => {
  const claire = await palabre.createUser('Claire Martin');
  const page = await pageAs(claire);

  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  await expect(nav.getByRole('link', { name: 'Discussions' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Administration' })).toHaveCount(0);
  await page.goto('/admin');
  await expect(page.getByText('Accès réservé aux administrateurs')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Comptes de l’organisation' })).toHaveCount(0);
});
