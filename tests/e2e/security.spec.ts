/**
 * Issue 13: the app under its Content-Security-Policy, with no violation reported, offline
 * start included; the policy really is strict (an injected inline script does not run).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, loginAs, test } from './fixtures.js';
import { message, openDiscussion, send, sidebar } from './ui.js';

/** Record every CSP violation the page reports, from the first script on, in every page of the context. */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const reports: string[] = [];
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  context.on('console', (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(msg.text()))
      reports.push(`console: ${msg.text()}`);
  });
  return reports;
}

const pageViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

test('the app works under its CSP with no violation reported, offline start included', async ({
  browser,
  palabre,
}) => {
  const [claire, karim] = await palabre.createUsersInDiscussion(['Claire Martin', 'Karim Haddad']);
  const context = await browser.newContext();
  const reports = await watchCsp(context);
  const page = await context.newPage();

  // The page really is under a strict policy: from the header, scripts only from the app itself.
  const response = await page.goto('/login');
  const csp = response!.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc).not.toContain('unsafe-inline');
  expect(scriptSrc).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response!.headers()['x-frame-options']).toBe('DENY');

  await loginAs(page, claire);
  await openDiscussion(page, karim.displayName);
  await send(page, 'Réunion déplacée à 15 h.');
  await expect(message(page, 'Réunion déplacée à 15 h.')).toBeVisible();
  await page.reload();
  await expect(message(page, 'Réunion déplacée à 15 h.')).toBeVisible();
  expect(await pageViolations(page)).toEqual([]);

  // Offline start: the service worker serves the shell, under the same policy.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  await page.reload();
  await expect(sidebar(page).getByRole('link', { name: karim.displayName })).toBeVisible();
  await expect(message(page, 'Réunion déplacée à 15 h.')).toBeVisible();
  expect(await pageViolations(page)).toEqual([]);
  await context.setOffline(false);

  // The watcher does see a violation when there is one: an injected inline script is refused.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.append(script);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  // (Reported once per policy: the header's and the page's <meta>.)
  await expect.poll(async () => (await pageViolations(page)).length).toBeGreaterThan(0);
  expect(reports.filter((r) => !/inline script/i.test(r))).toEqual([]);
  await context.close();
});

test('« Sessions » lists where I am signed in; ending the other one signs it out at once', async ({
  palabre,
  pageAs,
}) => {
  const elodie = await palabre.createUser('Élodie Bernard');
  const laptop = await pageAs(elodie);
  const phone = await pageAs(elodie);
  await laptop.getByRole('link', { name: /Sessions/ }).click();
  await expect(laptop.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible();
  const list = laptop.getByRole('list', { name: 'Vos sessions' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list.getByRole('listitem').filter({ hasText: 'Cette session' })).toHaveCount(1);
  await expect(list.getByText(/Chrome sur Linux/).first()).toBeVisible();

  await list.getByRole('button', { name: /^Terminer/ }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(laptop.getByText('Aucune autre session n’est ouverte.')).toBeVisible();
  // The other window is signed out without having to do anything.
  await expect(phone).toHaveURL(/\/login/, { timeout: 15_000 });
  // This one still works.
  await laptop.reload();
  await expect(list.getByRole('listitem')).toHaveCount(1);
});

test('an admin revokes an API token from « Jetons d’API »', async ({ palabre, pageAs }) => {
  const nadia = await palabre.createUser('Nadia Admin', 'admin');
  const page = await pageAs(nadia);
  await page.goto('/admin/tokens');
  await page.getByLabel('Libellé').fill('Export nocturne');
  await page.getByRole('button', { name: 'Créer un jeton' }).click();
  const token = await page.getByLabel('Valeur du jeton').inputValue();
  await page.getByRole('button', { name: 'J’ai copié le jeton' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Export nocturne' });
  await expect(row).toContainText(nadia.displayName);
  const before = await fetch(`${palabre.url}/api/admin/users`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(before.status).toBe(200);

  await row.getByRole('button', { name: /Révoquer/ }).click();
  await row.getByRole('button', { name: 'Confirmer la révocation' }).click();
  await expect(
    page.getByText('Jeton « Export nocturne » révoqué : ses connexions sont fermées.'),
  ).toBeVisible();
  await expect(row).toHaveCount(0);
  const after = await fetch(`${palabre.url}/api/admin/users`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(after.status).toBe(401);
});
