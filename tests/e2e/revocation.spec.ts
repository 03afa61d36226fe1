/**
 * Issue 13: revocation leaves no readable trace. After a member's removal, nothing in that
 * browser's storage (every IndexedDB database, localStorage, Cache Storage) contains the
 * discussion's text, title or id.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { message, openDiscussion, send, sidebar } from './ui.js';

/** Every string in this browser's storage that contains one of `needles`: IndexedDB, localStorage, Cache Storage. */
async function findInStorage(page: Page, needles: string[]): Promise<string[]> {
  return page.evaluate(async (needles) => {
    const found: string[] = [];
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const text = (value: unknown): string => {
      if (value instanceof ArrayBuffer) return decoder.decode(new Uint8Array(value));
      if (ArrayBuffer.isView(value))
        return decoder.decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (value instanceof Blob) return '';
      if (value && typeof value === 'object')
        return Object.values(value as Record<string, unknown>)
          .map(text)
          .join('\n');
      return String(value);
    };
    const check = (where: string, content: string) => {
      for (const needle of needles) if (content.includes(needle)) found.push(`${where}: ${needle}`);
    };

    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      check('indexeddb database name', info.name);
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const [values, keys] = await Promise.all(
          ['getAll', 'getAllKeys'].map(
            (op) =>
              new Promise<unknown[]>((resolve, reject) => {
                const s = db.transaction(store, 'readonly').objectStore(store);
                const req = op === 'getAll' ? s.getAll() : s.getAllKeys();
                req.onsuccess = () => resolve(req.result as unknown[]);
                req.onerror = () => reject(req.error);
              }),
          ),
        );
        check(`indexeddb ${info.name}/${store}`, values.map(text).join('\n') + keys.map(text).join('\n'));
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      check(`localStorage ${key}`, `${key}\n${localStorage.getItem(key)}`);
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        check(`cache ${name} ${request.url}`, `${request.url}\n${response ? await response.text() : ''}`);
      }
    }
    return found;
  }, needles);
}

test('after a member is removed, nothing in their browser contains the discussion', async ({
  palabre,
  pageAs,
}) => {
  const karim = await palabre.createUser('Karim Haddad');
  const sophie = await palabre.createUser('Sophie Leroy');
  const thomas = await palabre.createUser('Thomas Petit');
  const title = `Projet Orque ${Date.now().toString(36)}`;
  const secrets = ['Code du coffre : 4417-Mistral', 'Le fournisseur Zephyrin baisse ses prix'];
  const { id } = await palabre.createDiscussion(karim, [sophie.id, thomas.id], title);
  // A discussion Sophie keeps, so the scan has something legitimate to walk through.
  const kept = await palabre.createDiscussion(thomas, [sophie.id]);
  const karimPage = await pageAs(karim);
  await openDiscussion(karimPage, title);
  for (const text of secrets) await send(karimPage, text);

  const sophiePage = await pageAs(sophie);
  await openDiscussion(sophiePage, title);
  for (const text of secrets) await expect(message(sophiePage, text)).toBeVisible();
  await sophiePage.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await sophiePage.reload();
  await expect(message(sophiePage, secrets[1])).toBeVisible();

  // While she is a member, her browser holds the discussion (the scan finds it: it can fail).
  await expect
    .poll(async () => (await findInStorage(sophiePage, [...secrets, title, id])).join('\n'))
    .toMatch(/indexeddb/);
  expect((await findInStorage(sophiePage, [...secrets, title, id])).join('\n')).toMatch(/localStorage/);

  await palabre.request(
    'DELETE',
    `/api/admin/discussions/${id}/members/${sophie.id}`,
    await palabre.adminToken(),
  );
  await expect(sidebar(sophiePage).getByRole('link', { name: title })).toHaveCount(0);
  await expect(sophiePage.getByText(secrets[0])).toHaveCount(0);
  // Nothing left anywhere: not the messages, not the title, not even the discussion's id.
  await expect
    .poll(() => findInStorage(sophiePage, [...secrets, title, id]), { timeout: 15_000 })
    .toEqual([]);
  // And it stays so after a reload (nothing rewritten from memory on the way out).
  await sophiePage.reload();
  await expect(sidebar(sophiePage).getByRole('link', { name: thomas.displayName })).toBeVisible();
  expect(await findInStorage(sophiePage, [...secrets, title, id])).toEqual([]);
  expect(kept.id).not.toBe(id);
});
