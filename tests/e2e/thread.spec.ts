/**
 * Issue 8: read indicators, @mentions, pins, edit and delete, two users in two browser contexts.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, loginAs, test, type TestUser } from './fixtures.js';
import { storedText } from './storage.js';
import {
  composer,
  goOffline,
  message,
  messageLog,
  openDiscussion,
  send,
  sendAndReceive,
  sidebar,
} from './ui.js';

/** Everything the page keeps locally for Palabre (IndexedDB, as text, and localStorage). */
const localStoreText = (page: Page) =>
  storedText(page, (name) => name.startsWith('palabre:'), { local: true });

declare global {
  interface Window {
    /** Notifications the page created (recorded by the init script below). */
    __shown: { title: string; body: string }[];
  }
}

/** A page in a context of its own where notifications are allowed, recording those it shows. */
async function notifiedPageAs(browser: Browser, user: TestUser): Promise<Page> {
  const context = await browser.newContext({ permissions: ['notifications'] });
  await context.addInitScript(() => {
    const Original = window.Notification;
    window.__shown = [];
    class Recorded extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.__shown.push({ title, body: options?.body ?? '' });
      }
    }
    window.Notification = Recorded as typeof Notification;
  });
  const page = await context.newPage();
  await loginAs(page, user);
  return page;
}

/** Palabre goes to the background (another window has the focus, the tab is hidden), or back. */
async function setBackground(page: Page, background: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    document.hasFocus = () => !hidden;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(hidden ? 'blur' : 'focus'));
  }, background);
}

test('a mention raises the badge and a notification; opening the discussion clears it and shows « Vu par »', async ({
  palabre,
  browser,
  pageAs,
}) => {
  const [alice, benoit, chloe] = await palabre.createUsersInDiscussion(
    ['Alice Moreau', 'Benoît Garnier', 'Chloé Roux'],
    'Chantier Lyon',
  );

  const benoitPage = await notifiedPageAs(browser, benoit);
  await expect(sidebar(benoitPage).getByRole('link', { name: /Chantier Lyon/ })).toBeVisible();
  await setBackground(benoitPage, true);

  const alicePage = await pageAs(alice, 'Chantier Lyon');
  const box = composer(alicePage);
  // « @beno » without the accent proposes Benoît; the arrows and Enter pick him.
  await box.fill('Tu peux passer voir le client ');
  await box.pressSequentially('@beno');
  const list = alicePage.getByRole('listbox', { name: 'Personnes à mentionner' });
  await expect(list.getByRole('option')).toHaveText([/Benoît Garnier/]);
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect(box).toHaveValue('Tu peux passer voir le client @Benoît Garnier ');
  await box.pressSequentially('demain ?');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const sent = message(alicePage, 'Tu peux passer voir le client');
  await expect(sent.locator('.mention')).toHaveText('@Benoît Garnier');

  // Benoît, in the background: the mention badge and one browser notification.
  const item = sidebar(benoitPage).getByRole('link', { name: /Chantier Lyon/ });
  await expect(item.getByRole('img', { name: '1 mention' })).toBeVisible();
  await expect
    .poll(() => benoitPage.evaluate(() => window.__shown))
    .toEqual([
      {
        title: 'Alice Moreau vous a mentionné dans Chantier Lyon',
        body: 'Tu peux passer voir le client @Benoît Garnier demain ?',
      },
    ]);

  // Back to Palabre, he opens it: « Nouveaux messages » above it, and the badge goes.
  await setBackground(benoitPage, false);
  await openDiscussion(benoitPage, 'Chantier Lyon');
  await expect(messageLog(benoitPage).getByRole('separator', { name: 'Nouveaux messages' })).toBeVisible();
  await expect(item.getByRole('img', { name: /mention/ })).toHaveCount(0);

  // Alice sees who has read it, and the full list on click.
  const seen = alicePage.getByRole('button', { name: 'Vu par Benoît' });
  await expect(seen).toBeVisible();
  await seen.click();
  await expect(alicePage.getByRole('region', { name: 'Vu par' })).toContainText('Benoît Garnier');

  // A plain member is not offered « @tous »; the owner is.
  const chloePage = await pageAs(chloe, 'Chantier Lyon');
  await composer(chloePage).pressSequentially('@');
  await expect(chloePage.getByRole('listbox', { name: 'Personnes à mentionner' })).not.toContainText('@tous');
  await box.pressSequentially('@to');
  await expect(list.getByRole('option')).toHaveText([/@tous/]);
});

test('« Vu » in a direct discussion once the other person has read my last message', async ({
  palabre,
  pageAs,
}) => {
  const [alice, bruno] = await palabre.createUsersInDiscussion(['Alice Perrin', 'Bruno Lefèvre']);
  const alicePage = await pageAs(alice, bruno.displayName);
  await send(alicePage, 'Le devis est parti.');
  const log = messageLog(alicePage);
  await expect(log.getByText('Vu', { exact: true })).toHaveCount(0);

  const brunoPage = await pageAs(bruno, alice.displayName);
  await expect(message(brunoPage, 'Le devis est parti.')).toBeVisible();
  await expect(log.getByText('Vu', { exact: true })).toBeVisible();
  // Identical after reloading.
  await alicePage.reload();
  await expect(messageLog(alicePage).getByText('Vu', { exact: true })).toBeVisible();
});

test('pin from the message, find it in « Messages épinglés » (loading older history), unpin from the panel', async ({
  palabre,
  pageAs,
}) => {
  test.setTimeout(120_000); // 46 messages typed one by one
  const [alice, bruno] = await palabre.createUsersInDiscussion(['Alice Girard', 'Bruno Caron']);
  const alicePage = await pageAs(alice, bruno.displayName);
  await send(alicePage, 'Code du portail : 4821');
  const pinned = message(alicePage, 'Code du portail');
  await pinned.hover();
  await pinned.getByRole('button', { name: 'Épingler' }).click();
  await expect(pinned).toContainText('Épinglé');
  // Enough messages after it that it is no longer rendered at first.
  for (let i = 1; i <= 45; i++) await send(alicePage, `Suivi ${i}`);

  const brunoPage = await pageAs(bruno, alice.displayName);
  await expect(message(brunoPage, 'Suivi 45')).toBeVisible();
  await expect(message(brunoPage, 'Code du portail')).toHaveCount(0);
  await brunoPage.getByRole('button', { name: 'Messages épinglés' }).click();
  const panel = brunoPage.getByRole('dialog', { name: 'Messages épinglés' });
  await expect(panel).toContainText('Code du portail : 4821');
  await expect(panel).toContainText('Épinglé par Alice Girard');
  await panel.getByRole('button', { name: /Code du portail/ }).click();
  await expect(panel).toBeHidden();
  const target = message(brunoPage, 'Code du portail');
  await expect(target).toBeInViewport();
  await expect(target).toHaveClass(/highlighted/);

  await brunoPage.getByRole('button', { name: 'Messages épinglés' }).click();
  await panel.getByRole('button', { name: 'Désépingler' }).click();
  await expect(panel).toContainText('Aucun message épinglé');
  // Unpinned for Alice too, live.
  await alicePage.getByRole('button', { name: 'Messages épinglés' }).click();
  await expect(alicePage.getByRole('dialog', { name: 'Messages épinglés' })).toContainText(
    'Aucun message épinglé',
  );
});

test('edit and delete propagate live, and a deleted text leaves both browsers’ local stores', async ({
  chat,
}) => {
  const [alice, bruno] = await chat(['Alice Lambert', 'Bruno Fontaine']);

  await sendAndReceive(alice.page, 'Facture 1042 à relancer vendredi', bruno.page);
  const mine = message(alice.page, 'Facture 1042');
  await mine.hover();
  await mine.getByRole('button', { name: 'Modifier' }).click();
  const box = composer(alice.page);
  await expect(box).toHaveValue('Facture 1042 à relancer vendredi');
  await box.fill('Facture 1042 à relancer lundi');
  await box.press('Enter');
  await expect(message(bruno.page, 'Facture 1042')).toContainText('Facture 1042 à relancer lundi');
  await expect(message(bruno.page, 'Facture 1042')).toContainText('(modifié)');
  // Bruno may not edit or delete Alice's message (a plain member).
  await message(bruno.page, 'Facture 1042').hover();
  await expect(message(bruno.page, 'Facture 1042').getByRole('button', { name: 'Modifier' })).toHaveCount(0);
  await expect(message(bruno.page, 'Facture 1042').getByRole('button', { name: 'Supprimer' })).toHaveCount(0);

  const secret = 'IBAN FR76 3000 6000 0112 3456 7890 189';
  await send(alice.page, secret);
  await expect(message(bruno.page, secret)).toBeVisible();
  await expect.poll(() => localStoreText(bruno.page)).toContain(secret);
  const doomed = message(alice.page, secret);
  await doomed.hover();
  await doomed.getByRole('button', { name: 'Supprimer' }).click();
  const confirm = alice.page.getByRole('alertdialog', { name: 'Supprimer ce message ?' });
  await confirm.getByRole('button', { name: 'Supprimer' }).click();

  await expect(message(bruno.page, 'Message supprimé')).toBeVisible();
  await expect(messageLog(bruno.page)).not.toContainText(secret);
  for (const page of [alice.page, bruno.page]) {
    await expect.poll(() => localStoreText(page), { timeout: 10_000 }).not.toContain(secret);
    await expect.poll(() => localStoreText(page)).not.toContain('relancer vendredi');
  }
});

test('a mention written offline arrives later and raises the other person’s mention badge', async ({
  palabre,
  pageAs,
}) => {
  const [alice, bruno] = await palabre.createUsersInDiscussion(
    ['Alice Roche', 'Bruno Meyer', 'Chloé Blanc'],
    'Équipe Nord',
  );
  const brunoPage = await pageAs(bruno);
  const item = sidebar(brunoPage).getByRole('link', { name: /Équipe Nord/ });
  await expect(item).toBeVisible();

  const alicePage = await pageAs(alice, 'Équipe Nord');
  await goOffline(alicePage);
  const box = composer(alicePage);
  await box.fill('Rappel pour ');
  await box.pressSequentially('@brun');
  await box.press('Enter');
  await box.pressSequentially('la réunion de jeudi');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const written = message(alicePage, 'Rappel pour');
  await expect(written).toContainText('En attente');
  await expect(written.locator('.mention')).toHaveText('@Bruno Meyer');
  // Nothing reached Bruno while Alice is offline.
  await expect(item.getByRole('img', { name: /mention/ })).toHaveCount(0);

  await alicePage.context().setOffline(false);
  await expect(item.getByRole('img', { name: '1 mention' })).toBeVisible();
  await expect(written).not.toContainText('En attente');
  await openDiscussion(brunoPage, 'Équipe Nord');
  await expect(message(brunoPage, 'Rappel pour').locator('.mention')).toHaveText('@Bruno Meyer');
  await expect(item.getByRole('img', { name: /mention/ })).toHaveCount(0);
});
