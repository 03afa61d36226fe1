// `npm test`: every check and test, as CI runs them. Installs pnpm, dependencies and Chromium when missing.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureServices } from './services.mjs';
import { ensurePnpm, installDependencies, must, run } from './toolchain.mjs';

ensurePnpm();
installDependencies();
if (!existsSync('/usr/bin/chromium')) {
  if (process.getuid?.() !== 0) {
    console.error(
      'Chromium is needed for the end-to-end tests: install it with `sudo apt-get install -y chromium`.',
    );
    process.exit(1);
  }
  must('apt-get', ['update', '-qq']);
  must('apt-get', ['install', '-y', '-qq', 'chromium']);
}

const testEnv = await ensureServices();

mkdirSync('.tmp', { recursive: true });
must('pnpm', ['build']);
must('pnpm', ['check']);
must('pnpm', ['lint']);
must('pnpm', ['format:check']);
const unit = run(
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/vitest.json'],
  { env: testEnv },
);
const e2e = run('pnpm', ['exec', 'playwright', 'test'], {
  env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: '.tmp/playwright.json' },
});

let passed = 0;
let failed = 0;
try {
  const v = JSON.parse(readFileSync('.tmp/vitest.json', 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
} catch {
  failed += 1;
}
try {
  const p = JSON.parse(readFileSync('.tmp/playwright.json', 'utf8'));
  passed += p.stats.expected;
  failed += p.stats.unexpected + p.stats.flaky;
} catch {
  failed += 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(unit !== 0 || e2e !== 0 || failed > 0 ? 1 : 0);
