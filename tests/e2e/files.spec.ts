/**
 * Issue 8, files in the thread: two users in two browser contexts. An image shows as its
 * server-made preview and opens full size; another file is a card that downloads; « Fichiers »
 * lists them; a file attached offline waits « En attente » (through a reload), uploads with a
 * progress bar when the network returns and reaches the other person; a file over
 * MAX_FILE_BYTES is refused before any byte leaves. Axe and screenshots of the thread with
 * files and of the panel, at desktop and phone widths.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import type { Page, Request, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { composer, connectionStatus, message, messageLog, openDiscussion, sidebar } from './ui.js';

/** A real PNG of width x height, a colour gradient (so the server's preview has work to do). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows.set([x % 256, y % 256, 160], y * (width * 3 + 1) + 1 + x * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** « Joindre un fichier », then the file picker. */
async function attach(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer } | string,
): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Joindre un fichier' }).click();
  await (await chooser).setFiles(file);
}

async function installedForOffline(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)))
    .toBe(true);
}

/** Requests that upload a file (POST …/files). */
function uploadsOf(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/discussions\/[0-9a-z]+\/files$/.test(request.url()))
      seen.push(request);
  });
  return seen;
}

async function expectAccessible(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.screenshot({
    path: join(testInfo.project.outputDir, 'screens', `${screen}-${width}x${height}.png`),
    animations: 'disabled', // the panel slides in
  });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect.soft(blocking, `${screen}: serious or critical axe violations`).toEqual([]);
}

const PHOTO = { name: 'chantier.png', mimeType: 'image/png', buffer: png(1200, 800) };
const QUOTE = {
  // Markup in a name (a name cannot hold « / », so no closing tag): shown as text.
  name: 'devis <b>final <img src=x onerror=alert(1)>.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n% Palabre test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
};

test('an image shows as its preview to the other person and opens full size; a file card downloads; « Fichiers » lists both', async ({
  palabre,
  pageAs,
}, testInfo) => {
  const alice = await palabre.createUser('Alice Fournier');
  const bruno = await palabre.createUser('Bruno Marchand');
  await palabre.createDiscussion(alice, [bruno.id]);
  const alicePage = await pageAs(alice);
  const brunoPage = await pageAs(bruno);
  await openDiscussion(alicePage, bruno.displayName);
  await openDiscussion(brunoPage, alice.displayName);

  // An image with a text, sent together.
  await attach(alicePage, PHOTO);
  await expect(alicePage.getByRole('list', { name: 'Fichiers à envoyer' })).toContainText('chantier.png');
  const box = composer(alicePage);
  await box.fill('Photo du chantier ce matin');
  await box.press('Enter');
  await expect(alicePage.getByRole('list', { name: 'Fichiers à envoyer' })).toHaveCount(0);

  const received = message(brunoPage, 'Photo du chantier ce matin');
  const open = received.getByRole('button', { name: 'Afficher chantier.png en grand' });
  await expect(open).toBeVisible();
  // The thread loads the reduced image, never the full file.
  const preview = open.locator('img');
  await expect(preview).toHaveAttribute('src', /^\/api\/files\/[0-9a-z]{20}\/preview$/);
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  const fileId = /files\/([0-9a-z]+)\//.exec((await preview.getAttribute('src'))!)![1];

  await open.click();
  const viewer = brunoPage.getByRole('dialog', { name: 'chantier.png' });
  await expect(viewer).toBeVisible();
  const full = viewer.getByRole('img', { name: 'chantier.png' });
  await expect(full).toHaveAttribute('src', `/api/files/${fileId}`);
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
  await expectAccessible(brunoPage, testInfo, 'file-viewer');
  await brunoPage.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(open).toBeFocused();

  // A PDF whose name holds markup: a card with the name as text, its type and size; it downloads.
  await attach(alicePage, QUOTE);
  await box.press('Enter');
  const card = messageLog(brunoPage).getByRole('link', { name: /devis/ });
  await expect(card).toContainText(QUOTE.name);
  await expect(card).toContainText(`PDF · ${QUOTE.buffer.length} o`);
  await expect(messageLog(brunoPage).locator('b, img[src="x"]')).toHaveCount(0);
  // A message with only a file is previewed in the sidebar by the file's name.
  await expect(sidebar(brunoPage).getByRole('link', { name: new RegExp(alice.displayName) })).toContainText(
    '📎 devis <b>final',
  );
  const download = brunoPage.waitForEvent('download');
  await card.click();
  const saved = await (await download).path();
  expect(readFileSync(saved).equals(QUOTE.buffer)).toBe(true);

  await expectAccessible(brunoPage, testInfo, 'thread-files');

  // « Fichiers »: both, newest first; « Voir le message » goes to it.
  await brunoPage.getByRole('button', { name: 'Fichiers' }).click();
  const panel = brunoPage.getByRole('dialog', { name: 'Fichiers' });
  await expect(panel.getByRole('listitem')).toHaveCount(2);
  await expect(panel.getByRole('listitem').first()).toContainText(QUOTE.name);
  await expect(panel.getByRole('listitem').nth(1)).toContainText('chantier.png');
  await expect(panel.getByRole('listitem').nth(1)).toContainText(alice.displayName);
  await expectAccessible(brunoPage, testInfo, 'files-panel');
  await panel.getByRole('listitem').nth(1).getByRole('button', { name: 'Voir le message' }).click();
  await expect(panel).toBeHidden();
  await expect(received).toHaveClass(/highlighted/);
});

test('phone width: the thread with files and « Fichiers » pass axe', async ({
  palabre,
  browser,
}, testInfo) => {
  const alice = await palabre.createUser('Alice Lemoine');
  const bruno = await palabre.createUser('Bruno Vidal');
  await palabre.createDiscussion(alice, [bruno.id]);
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const { loginAs } = await import('./fixtures.js');
  await loginAs(page, alice);
  await openDiscussion(page, bruno.displayName);
  await attach(page, PHOTO);
  await attach(page, QUOTE);
  await composer(page).fill('Les deux documents');
  await composer(page).press('Enter');
  await expect(
    message(page, 'Les deux documents').getByRole('button', { name: /chantier\.png/ }),
  ).toBeVisible();
  await expect(message(page, 'Les deux documents')).not.toContainText('En attente');
  await expectAccessible(page, testInfo, 'thread-files');
  await page.getByRole('button', { name: 'Fichiers' }).click();
  await expect(page.getByRole('dialog', { name: 'Fichiers' }).getByRole('listitem')).toHaveCount(2);
  await expectAccessible(page, testInfo, 'files-panel');
  await context.close();
});

test('a file attached offline waits « En attente » through a reload, then uploads with a progress bar and reaches the other person', async ({
  palabre,
  pageAs,
}) => {
  const claire = await palabre.createUser('Claire Bonnet');
  const denis = await palabre.createUser('Denis Mercier');
  await palabre.createDiscussion(claire, [denis.id]);
  const denisPage = await pageAs(denis);
  const clairePage = await pageAs(claire);
  await openDiscussion(denisPage, claire.displayName);
  await openDiscussion(clairePage, denis.displayName);
  await installedForOffline(clairePage);
  const uploads = uploadsOf(clairePage);

  await clairePage.context().setOffline(true);
  await expect(connectionStatus(clairePage)).toContainText('Hors ligne');
  const plan = { name: 'plan-étage.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(300_000, 7) };
  await attach(clairePage, plan);
  await composer(clairePage).fill('Le plan, à valider');
  await composer(clairePage).press('Enter');
  // A text written after it, offline too: it stays after it.
  await composer(clairePage).fill('Dites-moi si ça va');
  await composer(clairePage).press('Enter');
  const waiting = message(clairePage, 'Le plan, à valider');
  await expect(waiting).toContainText('En attente');
  await expect(waiting).toContainText('plan-étage.pdf');
  await expect(connectionStatus(clairePage)).toContainText('2 messages en attente');

  // Reloaded while offline: still there, still waiting (the bytes are in IndexedDB).
  await clairePage.reload();
  await expect(message(clairePage, 'Le plan, à valider')).toContainText('En attente');
  await expect(message(clairePage, 'Le plan, à valider')).toContainText('plan-étage.pdf');
  await expect(message(denisPage, 'Le plan')).toHaveCount(0);
  expect(uploads).toHaveLength(0);

  // Back online: the upload is held for a moment by the test so its progress bar can be seen.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await clairePage.route('**/api/discussions/*/files', async (route) => {
    await held;
    await route.continue();
  });
  await clairePage.context().setOffline(false);
  await expect(clairePage.getByRole('progressbar', { name: 'Envoi de plan-étage.pdf' })).toBeVisible();
  release();

  const arrived = message(denisPage, 'Le plan, à valider');
  await expect(arrived.getByRole('link', { name: /plan-étage\.pdf/ })).toBeVisible();
  await expect(message(clairePage, 'Le plan, à valider')).not.toContainText('En attente');
  await expect(connectionStatus(clairePage)).not.toContainText('en attente');
  expect(uploads).toHaveLength(1);
  // Where it was sent: before the text written after it, on both sides.
  for (const page of [clairePage, denisPage])
    await expect(messageLog(page).getByRole('article')).toHaveText([
      /Le plan, à valider/,
      /Dites-moi si ça va/,
    ]);
});

test('a file over MAX_FILE_BYTES is refused before any upload, with the reason', async ({
  palabre,
  pageAs,
}, testInfo) => {
  const alice = await palabre.createUser('Alice Rousseau');
  const bruno = await palabre.createUser('Bruno Girard');
  await palabre.createDiscussion(alice, [bruno.id]);
  const page = await pageAs(alice);
  await openDiscussion(page, bruno.displayName);
  const uploads = uploadsOf(page);

  // One byte over the default 25 MB (a file on disk: a buffer this large is slow to hand over).
  const big = testInfo.outputPath('video-chantier.mp4');
  writeFileSync(big, Buffer.alloc(25 * 1024 * 1024 + 1));
  await attach(page, big);
  await expect(page.getByRole('alert')).toHaveText(
    '« video-chantier.mp4 » dépasse la taille maximale autorisée (25 Mo) : il n’a pas été joint.',
  );
  await expect(page.getByRole('list', { name: 'Fichiers à envoyer' })).toHaveCount(0);
  await composer(page).press('Enter');
  await expect(messageLog(page).getByRole('article')).toHaveCount(0);
  expect(uploads).toHaveLength(0);
});

test('files dropped on the thread or pasted in the composer are attached', async ({ palabre, pageAs }) => {
  const alice = await palabre.createUser('Alice Chevalier');
  const bruno = await palabre.createUser('Bruno Leclerc');
  await palabre.createDiscussion(alice, [bruno.id]);
  const page = await pageAs(alice);
  const brunoPage = await pageAs(bruno);
  await openDiscussion(page, bruno.displayName);
  await openDiscussion(brunoPage, alice.displayName);

  await messageLog(page).evaluate((log) => {
    const data = new DataTransfer();
    data.items.add(new File(['compte rendu'], 'compte-rendu.txt', { type: 'text/plain' }));
    for (const type of ['dragenter', 'dragover', 'drop'])
      log.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await composer(page).evaluate((box) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array([1, 2, 3])], 'capture.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const chips = page.getByRole('list', { name: 'Fichiers à envoyer' }).getByRole('listitem');
  await expect(chips).toHaveText([/compte-rendu\.txt/, /capture\.png/]);
  await chips.nth(1).getByRole('button', { name: 'Retirer capture.png' }).click();
  await composer(page).press('Enter');
  await expect(messageLog(brunoPage).getByRole('link', { name: /compte-rendu\.txt/ })).toBeVisible();
  await expect(messageLog(brunoPage)).not.toContainText('capture.png');
});
