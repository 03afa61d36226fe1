/**
 * Issue 3: Palabre keeps working without the network and without the server. Messages written
 * meanwhile wait on the device, marked « En attente », and arrive once, in order, afterwards.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import {
  connectionStatus,
  containing,
  message,
  messageLog,
  messages,
  openDiscussion,
  send,
  sidebar,
} from './ui.js';

/** The app shell is cached by the service worker: only then can a reload work offline. */
async function installedForOffline(page: Page): Promise<void> {
  await expect
    .poll(
      () => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)),
      {
        message: 'a service worker is active for the app',
      },
    )
    .toBe(true);
}

test('messages written offline survive a reload and reach the colleague once, in order', async ({
  palabre,
  pageAs,
}) => {
  const claire = await palabre.createUser('Claire Martin');
  const francois = await palabre.createUser('François Dupont');
  const { id } = await palabre.createDiscussion(claire, [francois.id]);
  const francoisPage = await pageAs(francois);
  const clairePage = await pageAs(claire);
  await openDiscussion(francoisPage, claire.displayName);
  await openDiscussion(clairePage, francois.displayName);
  await installedForOffline(clairePage);

  await clairePage.context().setOffline(true);
  const status = connectionStatus(clairePage);
  await expect(status).toContainText('Hors ligne');
  const texts = ['Premier message hors ligne', 'Deuxième message hors ligne', 'Troisième message hors ligne'];
  for (const text of texts) await send(clairePage, text);
  await expect(status).toContainText('3 messages en attente');

  // Still offline: the page reloads from the device, with the three messages still waiting.
  await clairePage.reload();
  await expect(clairePage.getByRole('heading', { level: 1, name: francois.displayName })).toBeVisible();
  await expect(messages(clairePage)).toHaveText(containing(texts));
  for (const text of texts) await expect(message(clairePage, text)).toContainText('En attente');
  await expect(status).toContainText('Hors ligne');
  await expect(status).toContainText('3 messages en attente');
  // Nothing left the device.
  await expect(messages(francoisPage)).toHaveCount(0);

  await clairePage.context().setOffline(false);
  await expect(messages(francoisPage)).toHaveText(containing(texts));
  await expect(messageLog(clairePage).getByText('En attente')).toHaveCount(0);
  await expect(status).toContainText('Connecté');
  await expect(status).not.toContainText('en attente');
  await expect
    .poll(async () => (await palabre.discussion(claire, id)).lastMessage?.preview)
    .toBe('Troisième message hors ligne');
  // Once, even after both reload from the server.
  for (const page of [francoisPage, clairePage]) {
    await page.reload();
    await expect(messages(page)).toHaveText(containing(texts));
  }
});

test('both colleagues keep writing while the server is down and end up with the same thread', async ({
  palabre,
  pageAs,
}) => {
  const claire = await palabre.createUser('Claire Martin');
  const francois = await palabre.createUser('François Dupont');
  await palabre.createDiscussion(claire, [francois.id]);
  const clairePage = await pageAs(claire);
  const francoisPage = await pageAs(francois);
  await openDiscussion(clairePage, francois.displayName);
  await openDiscussion(francoisPage, claire.displayName);
  await send(clairePage, 'Avant la coupure');
  await expect(message(francoisPage, 'Avant la coupure')).toBeVisible();

  await palabre.stop();
  await send(clairePage, 'Claire 1 pendant la coupure');
  await send(francoisPage, 'François 1 pendant la coupure');
  await send(clairePage, 'Claire 2 pendant la coupure');
  await send(francoisPage, 'François 2 pendant la coupure');
  await expect(message(clairePage, 'Claire 2 pendant la coupure')).toContainText('En attente');
  await expect(message(francoisPage, 'François 2 pendant la coupure')).toContainText('En attente');
  for (const page of [clairePage, francoisPage]) {
    await expect(connectionStatus(page)).toContainText('2 messages en attente');
  }
  await palabre.start();

  // Reconnecting waits for the clients' backoff: allow it more than the default.
  const reconnected = { timeout: 30_000 };
  for (const page of [clairePage, francoisPage]) {
    await expect(messages(page)).toHaveCount(5, reconnected);
    await expect(messageLog(page).getByText('En attente')).toHaveCount(0, reconnected);
    await expect(connectionStatus(page)).not.toContainText('en attente');
  }
  const claireOrder = await messages(clairePage).allTextContents();
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
  await expect(messages(francoisPage)).toHaveText(sameOrder);
  // And the server kept them: a reload shows the same thread.
  await francoisPage.reload();
  await expect(messages(francoisPage)).toHaveText(sameOrder);
});

test('what was no longer « En attente » survives a crash of the server', async ({ palabre, pageAs }) => {
  const claire = await palabre.createUser('Claire Martin');
  const francois = await palabre.createUser('François Dupont');
  await palabre.createDiscussion(claire, [francois.id]);
  const clairePage = await pageAs(claire);
  await openDiscussion(clairePage, francois.displayName);
  const texts = ['Commande 1 validée', 'Commande 2 validée', 'Commande 3 validée'];
  for (const text of texts) await send(clairePage, text);
  await expect(messageLog(clairePage).getByText('En attente')).toHaveCount(0);
  // Her device is gone too (closed, never to resend): only the server's store can have them.
  await clairePage.context().close();

  await palabre.kill();
  await palabre.start();

  // François signs in on a device that never saw the discussion: it all comes from the server.
  const francoisPage = await pageAs(francois);
  await openDiscussion(francoisPage, claire.displayName);
  await expect(messages(francoisPage)).toHaveText(containing(texts));
});

test('a discussion never opened on this device can be read offline', async ({ palabre, pageAs }) => {
  const claire = await palabre.createUser('Claire Martin');
  const francois = await palabre.createUser('François Dupont');
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
      () =>
        clairePage.evaluate(storedOnDevice, { userId: claire.id, discussionId: id, text: 'On livre lundi.' }),
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

/**
 * Whether this device stores a discussion update carrying this text. y-indexeddb keeps a
 * discussion's Yjs updates in the `updates` store of a database named after the user and the
 * discussion; message texts sit in those bytes as UTF-8. Runs in the page.
 */
async function storedOnDevice({
  userId,
  discussionId,
  text,
}: {
  userId: string;
  discussionId: string;
  text: string;
}) {
  const names = (await indexedDB.databases()).map((db) => db.name ?? '');
  const name = names.find((n) => n.includes(userId) && n.includes(discussionId));
  if (!name) return false;
  const updates = await new Promise<unknown[]>((resolve) => {
    const open = indexedDB.open(name);
    open.onerror = () => resolve([]);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('updates')) {
        db.close();
        resolve([]);
        return;
      }
      const all = db.transaction('updates').objectStore('updates').getAll();
      all.onsuccess = () => {
        db.close();
        resolve(all.result);
      };
      all.onerror = () => resolve([]);
    };
  });
  const decoder = new TextDecoder();
  return updates.some((update) => update instanceof Uint8Array && decoder.decode(update).includes(text));
}
