/**
 * How Palabre launches Debian's Chromium (Playwright cannot download its own browser here): the
 * e2e tests (playwright.config.ts) and the browser benchmarks (bench/coldstart.ts,
 * bench/search/browser.ts) use these same options.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
