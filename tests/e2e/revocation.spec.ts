/**
 * Issue 13: revocation leaves no readable trace. After a member's removal, nothing in that
 * browser's storage (every IndexedDB database, localStorage, Cache Storage) contains the
 * discussion's text, title or id.
 */
import { expect, test } from './fixtures.js';
import { nothing, traces } from './storage.js';
import { message, send, sidebar } from './ui.js';

test('after a member is removed, nothing in their browser contains the discussion', async ({
  palabre,
  pageAs,
}) => {
  const [karim, sophie, thomas] = await palabre.createUsers('Karim Haddad', 'Sophie Leroy', 'Thomas Petit');
  const title = `Projet Orque ${Date.now().toString(36)}`;
  const secrets = ['Code du coffre : 4417-Mistral', 'Le fournisseur Zephyrin baisse ses prix'];
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], title);
  // A discussion Sophie keeps, so the scan has something legitimate to walk through.
  const kept = await palabre.createDiscussion(thomas, [sophie.id]);
  const karimPage = await pageAs(karim, title);
  for (const text of secrets) await send(karimPage, text);

  const sophiePage = await pageAs(sophie, title);
  for (const text of secrets) await expect(message(sophiePage, text)).toBeVisible();
  await sophiePage.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await sophiePage.reload();
  await expect(message(sophiePage, secrets[1])).toBeVisible();

  // While she is a member, her browser holds the discussion (the scan finds it: it can fail).
  const needles = [...secrets, title, id];
  await expect.poll(async () => (await traces(sophiePage, needles)).databases.length).toBeGreaterThan(0);
  expect((await traces(sophiePage, needles)).local.length).toBeGreaterThan(0);

  await palabre.request(
    'DELETE',
    `/api/admin/discussions/${id}/members/${sophie.id}`,
    await palabre.adminToken(),
  );
  await expect(sidebar(sophiePage).getByRole('link', { name: title })).toHaveCount(0);
  await expect(sophiePage.getByText(secrets[0])).toHaveCount(0);
  // Nothing left anywhere: not the messages, not the title, not even the discussion's id.
  await expect.poll(() => traces(sophiePage, needles), { timeout: 15_000 }).toEqual(nothing);
  // And it stays so after a reload (nothing rewritten from memory on the way out).
  await sophiePage.reload();
  await expect(sidebar(sophiePage).getByRole('link', { name: thomas.displayName })).toBeVisible();
  expect(await traces(sophiePage, needles)).toEqual(nothing);
  expect(kept.id).not.toBe(id);
});
