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

/** Type in the composer and press Enter; the box empties once the message is taken. */
export async function send(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
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
  return new URL(page.url()).pathname.split('/').pop()!;
}
