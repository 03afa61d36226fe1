/**
 * « Sauvegardes » in the admin console: « Sauvegarder maintenant » writes a backup on the server
 * and says so, the folder's list shows it, the audit log records it; axe-clean and looked at, at
 * desktop and phone widths.
 */
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';

async function expectAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.screenshot({
    path: join(testInfo.project.outputDir, 'backups', `${name}-${width}x${height}.png`),
    fullPage: true,
  });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect(blocking).toEqual([]);
}

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`${label}: an admin backs up now from « Sauvegardes » and sees the result`, async ({
    palabre,
    pageAs,
  }, testInfo) => {
    test.setTimeout(90_000);
    const admin = await palabre.createUser(label === 'phone' ? 'Paul Admin' : 'Inès Admin', 'admin');
    const page = await pageAs(admin);
    await page.setViewportSize(viewport);
    await page.goto('/admin');
    await page
      .getByRole('navigation', { name: /sections/i })
      .getByRole('link', { name: 'Sauvegardes' })
      .click();
    await expect(page).toHaveURL(/\/admin\/backups$/);
    await expect(page.getByRole('heading', { level: 2, name: 'Sauvegardes' })).toBeVisible();
    await expect(page.getByText(/Dossier des sauvegardes sur le serveur/)).toBeVisible();
    const before = await page
      .getByRole('table', { name: 'Les sauvegardes du serveur' })
      .getByRole('row')
      .count()
      .catch(() => 0);

    await page.getByRole('button', { name: 'Sauvegarder maintenant' }).click();
    const status = page.getByRole('status').filter({ hasText: /Sauvegarde/ });
    await expect(status).toContainText(/Sauvegarde terminée : palabre-\d{8}T\d{6}Z(-\d+)?\.tar \(.+\)\./, {
      timeout: 30_000,
    });
    const name = /palabre-[^ ]+\.tar/.exec((await status.textContent()) ?? '')![0];
    const table = page.getByRole('table', { name: 'Les sauvegardes du serveur' });
    await expect(table.getByRole('row').filter({ hasText: name })).toContainText('Terminée');
    expect(await table.getByRole('row').count()).toBeGreaterThan(before);
    await expect(page.getByRole('button', { name: 'Sauvegarder maintenant' })).toBeEnabled();
    await expectAccessible(page, testInfo, 'backup-done');

    await page.goto('/admin/audit');
    await expect(page.getByText(`${admin.displayName} a lancé la sauvegarde « ${name} ».`)).toBeVisible();
    await expect(
      page.getByText(
        new RegExp(
          `La sauvegarde « ${name.replace(/[.]/g, '\\.')} » lancée par ${admin.displayName} est terminée`,
        ),
      ),
    ).toBeVisible();
  });
}
