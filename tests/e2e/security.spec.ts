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
  const claire = await palabre.createUser('Claire Martin');
  const karim = await palabre.createUser('Karim Haddad');
  await palabre.createDiscussion(claire, [karim.id]);
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
