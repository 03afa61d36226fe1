/**
 * Issue 8, files in the thread: two users in two browser contexts. An image shows as its
 * server-made preview and opens full size; another file is a card that downloads; « Fichiers »
 * lists them; a file attached offline waits « En attente » (through a reload), uploads with a
 * progress bar when the network returns and reaches the other person; a file over
 * MAX_FILE_BYTES is refused before any byte leaves. Axe and screenshots of the thread with
 * files and of the panel, at desktop and phone widths.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import type { Page, Request } from '@playwright/test';
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { composer, connectionStatus, goOffline, message, messageLog, openDiscussion, sidebar } from './ui.js';

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

/** Requests that upload a file (POST …/files). */
function uploadsOf(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/discussions\/[0-9a-z]+\/files$/.test(request.url()))
      seen.push(request);
  });
  return seen;
}

/** The panel slides in: its screenshot is taken with animations stopped. */
const JUDGED = { folder: 'screens', animations: 'disabled', soft: true } as const;

const PHOTO = { name: 'chantier.png', mimeType: 'image/png', buffer: png(1200, 800) };
const QUOTE = {
  // Markup in a name (a name cannot hold « / », so no closing tag): shown as text.
  name: 'devis <b>final <img src=x onerror=alert(1)>.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n% Palabre test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
};

test('an image shows as its preview to the other person and opens full size; a file card downloads; « Fichiers » lists both', async ({
  chat,
}, testInfo) => {
  const [alice, bruno] = await chat(['Alice Fournier', 'Bruno Marchand']);

  // An image with a text, sent together.
  await attach(alice.page, PHOTO);
  await expect(alice.page.getByRole('list', { name: 'Fichiers à envoyer' })).toContainText('chantier.png');
  const box = composer(alice.page);
  await box.fill('Photo du chantier ce matin');
  await box.press('Enter');
  await expect(alice.page.getByRole('list', { name: 'Fichiers à envoyer' })).toHaveCount(0);

  const received = message(bruno.page, 'Photo du chantier ce matin');
  const open = received.getByRole('button', { name: 'Afficher chantier.png en grand' });
  await expect(open).toBeVisible();
  // The thread loads the reduced image, never the full file.
  const preview = open.locator('img');
  await expect(preview).toHaveAttribute('src', /^\/api\/files\/[0-9a-z]{20}\/preview$/);
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  const fileId = /files\/([0-9a-z]+)\//.exec((await preview.getAttribute('src'))!)![1];

  await open.click();
  const viewer = bruno.page.getByRole('dialog', { name: 'chantier.png' });
  await expect(viewer).toBeVisible();
  const full = viewer.getByRole('img', { name: 'chantier.png' });
  await expect(full).toHaveAttribute('src', `/api/files/${fileId}`);
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
  await expectAccessible(bruno.page, testInfo, 'file-viewer', JUDGED);
  await bruno.page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(open).toBeFocused();

  // A PDF whose name holds markup: a card with the name as text, its type and size; it downloads.
  await attach(alice.page, QUOTE);
  await box.press('Enter');
  const card = messageLog(bruno.page).getByRole('link', { name: /devis/ });
  await expect(card).toContainText(QUOTE.name);
  await expect(card).toContainText(`PDF · ${QUOTE.buffer.length} o`);
  await expect(messageLog(bruno.page).locator('b, img[src="x"]')).toHaveCount(0);
  // A message with only a file is previewed in the sidebar by the file's name.
  await expect(sidebar(bruno.page).getByRole('link', { name: new RegExp(alice.displayName) })).toContainText(
    '📎 devis <b>final',
  );
  const download = bruno.page.waitForEvent('download');
  await card.click();
  const saved = await (await download).path();
  expect(readFileSync(saved).equals(QUOTE.buffer)).toBe(true);

  await expectAccessible(bruno.page, testInfo, 'thread-files', JUDGED);

  // « Fichiers »: both, newest first; « Voir le message » goes to it.
  await bruno.page.getByRole('button', { name: 'Fichiers' }).click();
  const panel = bruno.page.getByRole('dialog', { name: 'Fichiers' });
  await expect(panel.getByRole('listitem')).toHaveCount(2);
  await expect(panel.getByRole('listitem').first()).toContainText(QUOTE.name);
  await expect(panel.getByRole('listitem').nth(1)).toContainText('chantier.png');
  await expect(panel.getByRole('listitem').nth(1)).toContainText(alice.displayName);
  await expectAccessible(bruno.page, testInfo, 'files-panel', JUDGED);
  await panel.getByRole('listitem').nth(1).getByRole('button', { name: 'Voir le message' }).click();
  await expect(panel).toBeHidden();
  await expect(received).toHaveClass(/highlighted/);
});

test('phone width: the thread with files and « Fichiers » pass axe', async ({
  palabre,
  browser,
}, testInfo) => {
  const [alice, bruno] = await palabre.createUsersInDiscussion(['Alice Lemoine', 'Bruno Vidal']);
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
  await expectAccessible(page, testInfo, 'thread-files', JUDGED);
  await page.getByRole('button', { name: 'Fichiers' }).click();
  await expect(page.getByRole('dialog', { name: 'Fichiers' }).getByRole('listitem')).toHaveCount(2);
  await expectAccessible(page, testInfo, 'files-panel', JUDGED);
  await context.close();
});

test('a file attached offline waits « En attente » through a reload, then uploads with a progress bar and reaches the other person', async ({
  chat,
}) => {
  const [claire, denis] = await chat(['Claire Bonnet', 'Denis Mercier']);
  const uploads = uploadsOf(claire.page);

  await goOffline(claire.page);
  await expect(connectionStatus(claire.page)).toContainText('Hors ligne');
  const plan = { name: 'plan-étage.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(300_000, 7) };
  await attach(claire.page, plan);
  await composer(claire.page).fill('Le plan, à valider');
  await composer(claire.page).press('Enter');
  // A text written after it, offline too: it stays after it.
  await composer(claire.page).fill('Dites-moi si ça va');
  await composer(claire.page).press('Enter');
  const waiting = message(claire.page, 'Le plan, à valider');
  await expect(waiting).toContainText('En attente');
  await expect(waiting).toContainText('plan-étage.pdf');
  await expect(connectionStatus(claire.page)).toContainText('2 messages en attente');

  // Reloaded while offline: still there, still waiting (the bytes are in IndexedDB).
  await claire.page.reload();
  await expect(message(claire.page, 'Le plan, à valider')).toContainText('En attente');
  await expect(message(claire.page, 'Le plan, à valider')).toContainText('plan-étage.pdf');
  await expect(message(denis.page, 'Le plan')).toHaveCount(0);
  expect(uploads).toHaveLength(0);

  // Back online: the upload is held for a moment by the test so its progress bar can be seen.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await claire.page.route('**/api/discussions/*/files', async (route) => {
    await held;
    await route.continue();
  });
  await claire.page.context().setOffline(false);
  await expect(claire.page.getByRole('progressbar', { name: 'Envoi de plan-étage.pdf' })).toBeVisible();
  release();

  const arrived = message(denis.page, 'Le plan, à valider');
  await expect(arrived.getByRole('link', { name: /plan-étage\.pdf/ })).toBeVisible();
  await expect(message(claire.page, 'Le plan, à valider')).not.toContainText('En attente');
  await expect(connectionStatus(claire.page)).not.toContainText('en attente');
  expect(uploads).toHaveLength(1);
  // Where it was sent: before the text written after it, on both sides.
  for (const page of [claire.page, denis.page])
    await expect(messageLog(page).getByRole('article')).toHaveText([
      /Le plan, à valider/,
      /Dites-moi si ça va/,
    ]);
});

test('a file over MAX_FILE_BYTES is refused before any upload, with the reason', async ({
  palabre,
  pageAs,
}, testInfo) => {
  const [alice, bruno] = await palabre.createUsersInDiscussion(['Alice Rousseau', 'Bruno Girard']);
  const page = await pageAs(alice, bruno.displayName);
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

test('files dropped on the thread or pasted in the composer are attached', async ({ chat }) => {
  const [alice, bruno] = await chat(['Alice Chevalier', 'Bruno Leclerc']);
  const { page } = alice;

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
  await expect(messageLog(bruno.page).getByRole('link', { name: /compte-rendu\.txt/ })).toBeVisible();
  await expect(messageLog(bruno.page)).not.toContainText('capture.png');
});
