/**
 * End-to-end tests in Debian's Chromium. Each worker starts its own Palabre server (see
 * tests/e2e/fixtures.ts), so the base URL comes from that fixture, not from here. Build the web
 * app first (`pnpm build`): the server serves web/build.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './tests/chromium.js';

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  // Two cores: one worker, one server, a few browser contexts at a time.
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    // scripts/test-all.mjs sets PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/playwright.json and reads it.
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? '.tmp/playwright.json' }],
  ],
  use: {
    // A control that never appears fails the step quickly instead of the whole test's timeout.
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
});
