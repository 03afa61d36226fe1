/** What a user does on screen, in the words of the French interface: shared by the specs. */
import { expect, type Locator, type Page } from '@playwright/test';

export const sidebar = (page: Page): Locator => page.getByRole('complementary', { name: 'Discussions' });

export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });

/** The messages on screen, in order: each an article carrying its author and time. */
export const messages = (page: Page): Locator => messageLog(page).getByRole('article');

/** The message that contains this text. */
export const message = (page: Page, text: string | RegExp): Locator =>
  messages(page).filter({ hasText: text });

/** « Connecté », « Hors ligne »…, with « N messages en attente » while some are not delivered. */
export const connectionStatus = (page: Page): Locator =>
  page.getByRole('status', { name: 'État de la connexion' });

export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Écrire un message' });

/** The search bar at the top of the discussion list. */
export const searchBox = (page: Page): Locator =>
  page.getByRole('combobox', { name: 'Rechercher une discussion' });

export const searchResults = (page: Page): Locator =>
  page.getByRole('listbox', { name: 'Résultats de la recherche' });

/** The messages the search found (the discussions it found are another group). */
export const messageHits = (page: Page): Locator =>
  searchResults(page).getByRole('group', { name: 'Messages' }).getByRole('option');

/**
 * For `expect(messages(page)).toHaveText(...)`: exactly these messages, in this order (each
 * bubble also holds its author and time, hence « contains »).
 */
export const containing = (texts: readonly string[]): RegExp[] =>
  texts.map((text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

/** Open a discussion from the sidebar by its title. */
export async function openDiscussion(page: Page, title: string): Promise<void> {
  await sidebar(page).getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

/** The id of the discussion open on the page, from its address (`/discussions/<id>`). */
export const openDiscussionId = (page: Page): string => new URL(page.url()).pathname.split('/').pop()!;

/** Type in the composer and press Enter; the box empties once the message is taken. */
export async function send(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** `send`, then wait until the message shows on each of the other pages (colleagues, other tabs). */
export async function sendAndReceive(page: Page, text: string, ...others: Page[]): Promise<void> {
  await send(page, text);
  for (const other of others) await expect(message(other, text)).toBeVisible();
}

/** From the administration, open a section by its link; its address and heading follow. */
export async function openAdminSection(page: Page, name: string, path: string): Promise<void> {
  await page.goto('/admin');
  await page
    .getByRole('navigation', { name: /sections/i })
    .getByRole('link', { name })
    .click();
  await expect(page).toHaveURL(new RegExp(`/admin/${path}$`));
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

/**
 * « + » then « Nouvelle discussion »: search each colleague, tick them, name the group if there
 * are several, « Démarrer une discussion ». Returns the id from the address of the new thread.
 */
export async function startDiscussion(
  page: Page,
  people: { search: string; name: string }[],
  groupName?: string,
): Promise<string> {
  await sidebar(page).getByRole('button', { name: 'Nouvelle discussion' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nouvelle discussion' });
  for (const person of people) {
    await dialog.getByLabel('Rechercher un contact').fill(person.search);
    await dialog.getByRole('checkbox', { name: person.name, exact: true }).check();
  }
  if (groupName !== undefined) await dialog.getByLabel('Nom du groupe').fill(groupName);
  await dialog.getByRole('button', { name: 'Démarrer une discussion' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/discussions\/[0-9a-z]+$/);
  return openDiscussionId(page);
}

/**
 * The app is installed for offline use: its service worker is active, so the shell is cached and
 * a reload works without the network.
 */
export async function installedForOffline(page: Page): Promise<void> {
  await expect
    .poll(
      () => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)),
      { message: 'a service worker is active for the app' },
    )
    .toBe(true);
}

/** Once the app is installed for offline use, the network is cut (the browser context's). */
export async function goOffline(page: Page): Promise<void> {
  await installedForOffline(page);
  await page.context().setOffline(true);
}
