/**
 * Managing people through the screens (not the API): an owner adds a member from the members
 * panel with the role picked, changes a role and removes someone; an admin creates an account and
 * renames it, gives and takes admin rights, resets its password and disables it. Each outcome is
 * checked on the server too.
 */
import { expect, test } from './fixtures.js';
import { openDiscussionId } from './ui.js';

test('an owner finds a colleague, adds them as reader, makes them moderator, then removes them', async ({
  palabre,
  pageAs,
}) => {
  const newcomer = await palabre.createUser('Zoé Castel');
  const [owner, member, other] = await palabre.createUsersInDiscussion(
    ['Mathilde Renaud', 'Olivier Brun', 'Agathe Roy'],
    'Logistique',
  );
  const page = await pageAs(owner, 'Logistique');
  const id = openDiscussionId(page);
  await page.getByRole('button', { name: 'Membres', exact: true }).click();
  const panel = page.getByRole('dialog', { name: 'Membres de la discussion' });

  await panel.getByRole('button', { name: 'Ajouter un membre' }).click();
  const search = panel.getByLabel('Rechercher un contact');
  await expect(search).toBeFocused();
  await search.fill('zzzz');
  await expect(panel.getByText('Aucun contact ne correspond à « zzzz ».')).toBeVisible();
  // Escape clears the search first, and only then closes the picker (the panel stays).
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await search.fill(newcomer.username);
  const candidates = panel.getByRole('group', { name: 'Collègues à ajouter' });
  await expect(candidates.getByRole('listitem')).toHaveCount(1);
  await panel.getByLabel('Rôle attribué').selectOption({ label: 'Lecteur' });
  await candidates.getByRole('button', { name: `Ajouter ${newcomer.displayName}` }).click();
  const role = panel.getByRole('combobox', { name: `Rôle de ${newcomer.displayName}` });
  await expect(role).toHaveValue('reader');
  await expect
    .poll(
      async () => (await palabre.discussion(owner, id)).members.find((m) => m.userId === newcomer.id)?.role,
    )
    .toBe('reader');
  await expect(search).toBeFocused();
  await search.press('Escape');
  await search.press('Escape');
  await expect(search).toBeHidden();
  await expect(panel.getByRole('button', { name: 'Ajouter un membre' })).toBeFocused();

  await role.selectOption({ label: 'Modérateur' });
  await expect
    .poll(
      async () => (await palabre.discussion(owner, id)).members.find((m) => m.userId === newcomer.id)?.role,
    )
    .toBe('moderator');

  await panel.getByRole('button', { name: `Retirer ${newcomer.displayName}` }).click();
  await page
    .getByRole('alertdialog', { name: `Retirer ${newcomer.displayName} ?` })
    .getByRole('button', { name: 'Retirer de la discussion' })
    .click();
  await expect(panel.getByRole('listitem').filter({ hasText: newcomer.displayName })).toHaveCount(0);
  await expect
    .poll(async () => (await palabre.discussion(owner, id)).members.map((m) => m.userId).sort())
    .toEqual([owner.id, member.id, other.id].sort());
});

test('an admin creates an account, renames it, gives and takes admin rights, resets its password, disables it', async ({
  palabre,
  pageAs,
}) => {
  const admin = await palabre.createUser('Bérénice Aubry', 'admin');
  const page = await pageAs(admin);
  await page.goto('/admin');
  const users = page.getByRole('table', { name: 'Comptes de l’organisation' });
  await expect(users).toBeVisible();

  const username = `vgautier.${Date.now().toString(36)}`;
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Nom affiché').fill('Victor Gautier');
  await page.getByLabel('Mot de passe').fill('premier-mot-de-passe');
  await page.getByRole('button', { name: 'Créer un utilisateur' }).click();
  await expect(page.getByLabel('Identifiant')).toHaveValue('');
  await expect(page.getByLabel('Identifiant')).toBeFocused();
  const row = users.getByRole('row').filter({ hasText: username });
  await expect(row).toContainText('Victor Gautier');
  await expect(row).toContainText('Utilisateur');
  expect(await palabre.login(username, 'premier-mot-de-passe')).toBeTruthy();

  // The filter finds the account by its username, and says so when nothing matches.
  await page.getByLabel('Filtrer les utilisateurs').fill('aucun-compte-ainsi');
  await expect(page.getByText('Aucun utilisateur ne correspond à « aucun-compte-ainsi ».')).toBeVisible();
  await page.getByLabel('Filtrer les utilisateurs').fill(username);
  await expect(users.getByRole('row')).toHaveCount(2);

  await row.getByRole('button', { name: 'Modifier le nom' }).click();
  const rename = page.getByRole('dialog', { name: 'Modifier le nom de Victor Gautier' });
  await rename.getByLabel('Nouveau nom').fill('Victor Gauthier');
  await rename.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(rename).toBeHidden();
  await expect(row).toContainText('Victor Gauthier');

  await row.getByRole('button', { name: 'Rendre administrateur' }).click();
  await expect(row.getByText('Administrateur', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: "Retirer les droits d'administrateur" }).click();
  await expect(row.getByText('Utilisateur', { exact: true })).toBeVisible();

  await row.getByRole('button', { name: 'Réinitialiser le mot de passe' }).click();
  const reset = page.getByRole('dialog', { name: 'Réinitialiser le mot de passe de Victor Gauthier' });
  await reset.getByLabel('Nouveau mot de passe').fill('second-mot-de-passe');
  await reset.getByRole('button', { name: 'Réinitialiser le mot de passe' }).click();
  await expect(reset).toBeHidden();
  await expect.poll(() => palabre.login(username, 'second-mot-de-passe').then(Boolean)).toBe(true);
  await expect(palabre.login(username, 'premier-mot-de-passe')).rejects.toThrow(/401/);

  await row.getByRole('button', { name: 'Désactiver' }).click();
  await expect(row).toContainText('Désactivé');
  await expect(palabre.login(username, 'second-mot-de-passe')).rejects.toThrow(/40[13]/);
  await row.getByRole('button', { name: 'Réactiver' }).click();
  await expect(row).toContainText('Actif');
  expect(await palabre.login(username, 'second-mot-de-passe')).toBeTruthy();
});

test('an admin gives one discussion its own retention period, then lets it follow the organisation again', async ({
  palabre,
  pageAs,
}) => {
  const admin = await palabre.createUser('Héloïse Marchal', 'admin');
  const [colleague, other] = await palabre.createUsers('Yann Corre', 'Inès Barre');
  const { id } = await palabre.createDiscussion(admin, [colleague.id, other.id], 'Archives comptables');
  const page = await pageAs(admin);
  await page.goto('/admin/retention');
  const ownPeriod = async () => {
    const { overrides } = await palabre.request<{ overrides: { id: string; days: number }[] }>(
      'GET',
      '/api/admin/retention',
      await palabre.tokenOf(admin),
    );
    return overrides.find((o) => o.id === id)?.days ?? null;
  };

  await page.getByLabel('Discussion', { exact: true }).selectOption({ label: 'Archives comptables' });
  await page.getByLabel('Durée en jours').fill('30');
  await page.getByRole('button', { name: 'Appliquer', exact: true }).click();
  const list = page.getByRole('table', { name: 'Discussions avec leur propre durée' });
  await expect(list.getByRole('row').filter({ hasText: 'Archives comptables' })).toContainText('30 jours');
  await expect.poll(ownPeriod).toBe(30);

  await list
    .getByRole('row')
    .filter({ hasText: 'Archives comptables' })
    .getByRole('button', { name: 'Suivre l’organisation' })
    .click();
  await expect(page.getByText('Toutes les discussions suivent la règle de l’organisation.')).toBeVisible();
  await expect.poll(ownPeriod).toBeNull();
});
