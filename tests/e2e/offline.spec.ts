/**
 * Issue 3: Palabre keeps working without the network and without the server. Messages written
 * meanwhile wait on the device, marked « En attente », and arrive once, in order, afterwards.
 */
import { expect, test } from './fixtures.js';
import { storedText } from './storage.js';
import {
  connectionStatus,
  containing,
  goOffline,
  installedForOffline,
  message,
  messageLog,
  messages,
  openDiscussion,
  openDiscussionId,
  send,
  sendAndReceive,
  sidebar,
} from './ui.js';

test('messages written offline survive a reload and reach the colleague once, in order', async ({
  palabre,
  chat,
}) => {
  const [claire, francois] = await chat(['Claire Martin', 'François Dupont']);
  await goOffline(claire.page);
  const status = connectionStatus(claire.page);
  await expect(status).toContainText('Hors ligne');
  const texts = ['Premier message hors ligne', 'Deuxième message hors ligne', 'Troisième message hors ligne'];
  for (const text of texts) await send(claire.page, text);
  await expect(status).toContainText('3 messages en attente');

  // Still offline: the page reloads from the device, with the three messages still waiting.
  await claire.page.reload();
  await expect(claire.page.getByRole('heading', { level: 1, name: francois.displayName })).toBeVisible();
  await expect(messages(claire.page)).toHaveText(containing(texts));
  for (const text of texts) await expect(message(claire.page, text)).toContainText('En attente');
  await expect(status).toContainText('Hors ligne');
  await expect(status).toContainText('3 messages en attente');
  // Nothing left the device.
  await expect(messages(francois.page)).toHaveCount(0);

  await claire.page.context().setOffline(false);
  await expect(messages(francois.page)).toHaveText(containing(texts));
  await expect(messageLog(claire.page).getByText('En attente')).toHaveCount(0);
  await expect(status).toContainText('Connecté');
  await expect(status).not.toContainText('en attente');
  await expect
    .poll(async () => (await palabre.discussion(claire, openDiscussionId(claire.page))).lastMessage?.preview)
    .toBe('Troisième message hors ligne');
  // Once, even after both reload from the server.
  for (const page of [francois.page, claire.page]) {
    await page.reload();
    await expect(messages(page)).toHaveText(containing(texts));
  }
});

test('both colleagues keep writing while the server is down and end up with the same thread', async ({
  palabre,
  chat,
}) => {
  const [claire, francois] = await chat(['Claire Martin', 'François Dupont']);
  await sendAndReceive(claire.page, 'Avant la coupure', francois.page);

  await palabre.stop();
  await send(claire.page, 'Claire 1 pendant la coupure');
  await send(francois.page, 'François 1 pendant la coupure');
  await send(claire.page, 'Claire 2 pendant la coupure');
  await send(francois.page, 'François 2 pendant la coupure');
  await expect(message(claire.page, 'Claire 2 pendant la coupure')).toContainText('En attente');
  await expect(message(francois.page, 'François 2 pendant la coupure')).toContainText('En attente');
  for (const page of [claire.page, francois.page]) {
    await expect(connectionStatus(page)).toContainText('2 messages en attente');
  }
  await palabre.start();

  // Reconnecting waits for the clients' backoff: allow it more than the default.
  const reconnected = { timeout: 30_000 };
  for (const page of [claire.page, francois.page]) {
    await expect(messages(page)).toHaveCount(5, reconnected);
    await expect(messageLog(page).getByText('En attente')).toHaveCount(0, reconnected);
    await expect(connectionStatus(page)).not.toContainText('en attente');
  }
  const claireOrder = await messages(claire.page).allTextContents();
  const order = claireOrder.map((text) => text.match(/Avant la coupure|\S+ \d pendant la coupure/)![0]);
  expect(order[0]).toBe('Avant la coupure');
  // Each author's messages keep the order they were written in.
  expect(order.filter((text) => text.startsWith('Claire'))).toEqual([
    'Claire 1 pendant la coupure',
    'Claire 2 pendant la coupure',
  ]);
  expect(order.filter((text) => text.startsWith('François'))).toEqual([
    'François 1 pendant la coupure',
    'François 2 pendant la coupure',
  ]);
  const sameOrder = containing(order);
  await expect(messages(francois.page)).toHaveText(sameOrder);
  // And the server kept them: a reload shows the same thread.
  await francois.page.reload();
  await expect(messages(francois.page)).toHaveText(sameOrder);
});

test('what was no longer « En attente » survives a crash of the server', async ({ palabre, pageAs }) => {
  const [claire, francois] = await palabre.createUsersInDiscussion(['Claire Martin', 'François Dupont']);
  const clairePage = await pageAs(claire, francois.displayName);
  const texts = ['Commande 1 validée', 'Commande 2 validée', 'Commande 3 validée'];
  for (const text of texts) await send(clairePage, text);
  await expect(messageLog(clairePage).getByText('En attente')).toHaveCount(0);
  // Her device is gone too (closed, never to resend): only the server's store can have them.
  await clairePage.context().close();

  await palabre.kill();
  await palabre.start();

  // François signs in on a device that never saw the discussion: it all comes from the server.
  const francoisPage = await pageAs(francois, claire.displayName);
  await expect(messages(francoisPage)).toHaveText(containing(texts));
});

test('a discussion never opened on this device can be read offline', async ({ palabre, pageAs }) => {
  const [claire, francois] = await palabre.createUsers('Claire Martin', 'François Dupont');
  const clairePage = await pageAs(claire);
  const francoisPage = await pageAs(francois);

  // François writes while Claire stays on her discussions list and never opens the thread.
  const { id } = await palabre.createDiscussion(francois, [claire.id]);
  await openDiscussion(francoisPage, claire.displayName);
  await send(francoisPage, 'Le devis Dubois est validé.');
  await send(francoisPage, 'On livre lundi.');
  await expect(sidebar(clairePage).getByRole('link', { name: francois.displayName })).toContainText(
    'On livre lundi.',
  );
  await installedForOffline(clairePage);

  // Background sync copies the discussion to the device; wait until it holds the last message.
  await expect
    .poll(
      async () =>
        (await storedText(clairePage, (name) => name.includes(claire.id) && name.includes(id))).includes(
          'On livre lundi.',
        ),
      { message: 'the discussion is copied to this device in the background' },
    )
    .toBe(true);

  await clairePage.context().setOffline(true);
  await clairePage.reload();
  await openDiscussion(clairePage, francois.displayName);
  await expect(messages(clairePage)).toHaveText(
    containing(['Le devis Dubois est validé.', 'On livre lundi.']),
  );
  await expect(message(clairePage, 'On livre lundi.')).toContainText(francois.displayName);
});
