/**
 * Retention and archives in the browser (issue 10):
 * - a browser that was offline during a purge drops the purged messages once it reconnects, and
 *   no IndexedDB database of the page (the discussion's copy, the search index) nor its local
 *   storage holds their text any more (read raw);
 * - archiving makes a discussion read-only for every role in the UI (no composer, no edit, delete
 *   or pin), hides it from the sidebar but under « Archivées », and « Désarchiver » restores it;
 * - « Conservation » (preview before saving, « Appliquer maintenant ») and the « Archivées »
 *   filter pass axe and are looked at, at desktop and phone widths.
 */
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { traces } from './storage.js';
import { composer, message, messages, openAdminSection, openDiscussion, sidebar } from './ui.js';

const JUDGED = { folder: 'retention', fullPage: true };

const DAY = 86_400_000;

test('a browser offline during a purge drops the purged messages when it reconnects, IndexedDB included', async ({
  palabre,
  pageAs,
}) => {
  test.setTimeout(120_000);
  const [alice, bob, carol] = await palabre.createUsers('Alice Vieux', 'Bruno Horsligne', 'Carole Tiers');
  const title = `Chantier ancien ${Date.now().toString(36)}`;
  const d = await palabre.createDiscussion(alice, [bob.id, carol.id], title);
  const tag = Math.random().toString(36).slice(2, 8);
  const old = [`devis-perime-${tag}`, `plan-obsolete-${tag}`];
  await palabre.postMessages(alice, d.id, old, { startAt: Date.now() - 40 * DAY });
  await palabre.postMessages(alice, d.id, [`recent-${tag}`]);

  const page = await pageAs(bob, title);
  await expect(messages(page)).toHaveCount(3);
  // The old texts are in the browser's storage (the document's copy, the search index).
  await expect.poll(async () => (await traces(page, old)).databases.length).toBeGreaterThan(0);

  await page.context().setOffline(true);
  const admin = await palabre.adminToken();
  await palabre.request('PUT', '/api/admin/retention', admin, { days: 30, keepPinned: true });
  const run = await palabre.request<{ messages: number }>('POST', '/api/admin/retention/run', admin);
  expect(run.messages).toBe(2);
  // Offline, the browser still shows them: it has not heard of the purge.
  await expect(messages(page)).toHaveCount(3);

  await page.context().setOffline(false);
  await expect(messages(page)).toHaveCount(1, { timeout: 30_000 });
  await expect(message(page, `recent-${tag}`)).toBeVisible();
  // No IndexedDB database (the discussion's copy, compacted; the search index) holds their text.
  await expect.poll(async () => (await traces(page, old)).databases, { timeout: 20_000 }).toEqual([]);
  await expect.poll(async () => (await traces(page, old)).local, { timeout: 20_000 }).toEqual([]);
  // After a reload, offline: still gone.
  await page.context().setOffline(true);
  await page.reload();
  await expect(message(page, `recent-${tag}`)).toBeVisible();
  await expect(messages(page)).toHaveCount(1);
});

test('archiving makes a discussion read-only for every role, under « Archivées » only, until it is restored', async ({
  palabre,
  pageAs,
}, testInfo) => {
  test.setTimeout(120_000);
  const [owner, member, reader] = await palabre.createUsers('Odile Archive', 'Marc Archive', 'Rita Archive');
  const title = `Projet clos ${Date.now().toString(36)}`;
  const d = await palabre.createDiscussion(owner, [member.id, reader.id], title);
  await palabre.setRole(d.id, reader.id, 'reader');
  await palabre.postMessages(owner, d.id, ['Le projet est livré.']);
  await palabre.postMessages(member, d.id, ['Merci à tous !']);

  const ownerPage = await pageAs(owner, title);
  await ownerPage.getByRole('button', { name: 'Archiver' }).click();
  await ownerPage.getByRole('alertdialog').getByRole('button', { name: 'Archiver' }).click();
  await expect(ownerPage.getByText(/Cette discussion est archivée/)).toBeVisible();

  const memberPage = await pageAs(member);
  for (const [who, page] of [
    [owner, ownerPage],
    [member, memberPage],
    [reader, await pageAs(reader)],
  ] as const) {
    // Not in the sidebar, but under « Archivées ».
    const list = sidebar(page);
    await expect(list.getByRole('link', { name: new RegExp(title) })).toHaveCount(0);
    await list.getByRole('button', { name: 'Archivées' }).click();
    await expect(list.getByRole('button', { name: 'Archivées' })).toHaveAttribute('aria-pressed', 'true');
    if (who === member) await expectAccessible(page, testInfo, 'archived-filter', JUDGED);
    await openDiscussion(page, title);
    // Readable, but no composer and no action on any message, whatever the role.
    await expect(message(page, 'Merci à tous !')).toBeVisible();
    await expect(page.getByText(/Cette discussion est archivée/)).toBeVisible();
    await expect(composer(page)).toHaveCount(0);
    for (const text of ['Le projet est livré.', 'Merci à tous !']) {
      await message(page, text).hover();
      await expect(
        message(page, text).getByRole('button', { name: /Modifier|Supprimer|Épingler/ }),
      ).toHaveCount(0);
    }
    if (who === reader) await expectAccessible(page, testInfo, 'archived-thread', JUDGED);
    await page.getByRole('button', { name: 'Archivées' }).click();
  }

  // The same at phone width: the list under « Archivées », then the read-only thread.
  await memberPage.setViewportSize({ width: 390, height: 844 });
  await memberPage.goto('/discussions');
  await sidebar(memberPage).getByRole('button', { name: 'Archivées' }).click();
  await expectAccessible(memberPage, testInfo, 'archived-filter', JUDGED);
  await sidebar(memberPage)
    .getByRole('link', { name: new RegExp(title) })
    .click();
  await expect(memberPage.getByText(/Cette discussion est archivée/)).toBeVisible();
  await expect(composer(memberPage)).toHaveCount(0);
  await expectAccessible(memberPage, testInfo, 'archived-thread', JUDGED);

  // « Désarchiver »: writable again, back in the sidebar.
  await ownerPage.getByRole('button', { name: 'Désarchiver' }).click();
  await expect(composer(ownerPage)).toBeVisible();
  await expect(sidebar(ownerPage).getByRole('button', { name: 'Archivées' })).toHaveCount(0);
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`${label}: « Conservation » previews a rule before saving it and applies it now`, async ({
    palabre,
    pageAs,
  }, testInfo) => {
    test.setTimeout(90_000);
    const admin = await palabre.createUser(
      label === 'phone' ? 'Paul Conservation' : 'Inès Conservation',
      'admin',
    );
    const alice = await palabre.createUser(`Alice Conservation ${label}`);
    const bob = await palabre.createUser(`Bob Conservation ${label}`);
    const title = `Vieux dossiers ${label} ${Date.now().toString(36)}`;
    const d = await palabre.createDiscussion(alice, [bob.id, admin.id], title);
    await palabre.postMessages(alice, d.id, ['ancien 1', 'ancien 2', 'ancien 3'], {
      startAt: Date.now() - 400 * DAY,
    });
    const page = await pageAs(admin);
    await page.setViewportSize(viewport);
    await openAdminSection(page, 'Conservation', 'retention');

    await page.getByLabel('Supprimer les messages de plus de').check();
    await page.getByRole('spinbutton', { name: 'Nombre de jours' }).fill('365');
    await expect(page.getByRole('button', { name: 'Enregistrer' })).toBeDisabled();
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const preview = page
      .getByRole('status')
      .filter({ hasText: 'Ce que cette règle supprimerait maintenant' });
    await expect(preview.getByRole('row').filter({ hasText: title })).toContainText('3');
    await expectAccessible(page, testInfo, 'retention-preview', JUDGED);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(page.getByText(/Règle enregistrée : messages de plus de 365 jours supprimés/)).toBeVisible();

    await page.getByRole('button', { name: 'Appliquer maintenant' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Supprimer maintenant' }).click();
    await expect(page.getByRole('status').filter({ hasText: /supprimés\.$/ })).toContainText(
      /\d+ message\(s\)/,
    );
    await expectAccessible(page, testInfo, 'retention-applied', JUDGED);
    await page.goto('/admin/audit');
    await expect(
      page.getByText(`${admin.displayName} a fixé la conservation à 365 jours`, { exact: false }).first(),
    ).toBeVisible();
    await expect(page.getByText(/a appliqué la conservation/).first()).toBeVisible();
  });
}
