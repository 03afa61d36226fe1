/**
 * axe-core on the page as it is now, with a screenshot beside it for a human to look at: shared
 * by the specs that judge screens (a11y, files, backups, retention).
 */
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

export interface Judged {
  /** The folder of the test's output the screenshot goes to (`test-results/<folder>/`). */
  folder: string;
  /** The whole page rather than the viewport. */
  fullPage?: boolean;
  /** CSS animations stopped for the screenshot (a panel that slides in). */
  animations?: 'disabled';
  /** Report and go on (`expect.soft`): one test then lists the violations of every screen. */
  soft?: boolean;
}

/**
 * Save `<folder>/<screen>-<width>x<height>.png`, then fail (or, soft, report) listing every
 * serious or critical WCAG 2.1 A/AA violation axe finds, with its nodes.
 */
export async function expectAccessible(
  page: Page,
  testInfo: TestInfo,
  screen: string,
  { folder, fullPage, animations, soft = false }: Judged,
): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.screenshot({
    path: join(testInfo.project.outputDir, folder, `${screen}-${width}x${height}.png`),
    fullPage,
    animations,
  });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  (soft ? expect.soft : expect)(blocking, `${screen}: serious or critical axe violations`).toEqual([]);
}
