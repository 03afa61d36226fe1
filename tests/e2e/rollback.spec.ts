/**
 * The 4422 verdict in the browser (ARCHITECTURE.md, "The browser: offline first"): when the
 * server refuses an update, the client discards its local copy, rebuilds it from the server and
 * writes again the user's pending messages that are still valid, which then reach the colleague
 * exactly once; the refused change reaches nobody.
 *
 * The refused change is forged on the device: a message signed by the colleague, written straight
 * into the discussion's IndexedDB store next to the user's pending messages (what a tampered or
 * buggy client would hold). The UI never writes such a thing, hence this look under the hood.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { addMessage } from '@palabre/shared/discussion/index';
import { expect, test } from './fixtures.js';
import {
  connectionStatus,
  containing,
  goOffline,
  message,
  messageLog,
  messages,
  openDiscussionId,
  send,
} from './ui.js';

/** Add one Yjs update to the y-indexeddb store of a database, as if the app had written it. */
async function writeIntoLocalCopy(page: Page, database: string, update: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ database, bytes }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('updates', 'readwrite');
          tx.objectStore('updates').add(new Uint8Array(bytes));
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { database, bytes: Array.from(update) },
  );
}

test('a refused update is rolled back and the valid pending messages reach the colleague once', async ({
  palabre,
  chat,
}) => {
  const [claire, francois] = await chat(['Claire Martin', 'François Dupont']);
  const id = openDiscussionId(claire.page);
  const { page } = claire;

  // Offline, Claire writes two messages; they wait on the device.
  await goOffline(page);
  const valid = ['Je prépare le devis.', 'Envoi prévu demain matin.'];
  for (const text of valid) await send(page, text);
  await expect(connectionStatus(page)).toContainText('2 messages en attente');

  // Next to them, in the same local store: a message signed by François that he never wrote.
  const forgery = new Y.Doc();
  const forged = 'Faux accord de François sur le devis';
  addMessage(forgery, { author: francois.id, text: forged, now: Date.now() });
  await writeIntoLocalCopy(page, `palabre:${claire.id}:${id}`, Y.encodeStateAsUpdate(forgery));
  await page.reload();
  // The device holds all three (it cannot tell): the server is the judge.
  await expect(messages(page)).toHaveText(containing([...valid, forged]));

  await page.context().setOffline(false);
  // Refused (not_author, 4422): rolled back, told, and her valid messages written again.
  await expect(page.getByText('Votre dernière modification a été refusée par le serveur.')).toBeVisible();
  await expect(messages(francois.page)).toHaveText(containing(valid));
  await expect(messages(page)).toHaveText(containing(valid));
  await expect(messageLog(page).getByText('En attente')).toHaveCount(0);
  await expect(connectionStatus(page)).toContainText('Connecté');
  await expect
    .poll(async () => (await palabre.discussion(claire, id)).lastMessage?.preview)
    .toBe('Envoi prévu demain matin.');
  // Once each, also from the server's copy, and the forgery nowhere.
  for (const p of [francois.page, page]) {
    await p.reload();
    await expect(messages(p)).toHaveText(containing(valid));
    await expect(message(p, forged)).toHaveCount(0);
  }
});
