/**
 * « Sauvegardes » in the admin console: « Sauvegarder maintenant » writes a backup on the server
 * and says so, the folder's list shows it, the audit log records it; axe-clean and looked at, at
 * desktop and phone widths.
 */
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { openAdminSection } from './ui.js';

const JUDGED = { folder: 'backups', fullPage: true };

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
    await openAdminSection(page, 'Sauvegardes', 'backups');
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
    await expectAccessible(page, testInfo, 'backup-done', JUDGED);

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
