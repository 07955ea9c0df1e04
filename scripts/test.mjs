// `npm test`: type-check, unit tests, build, then the real-browser tests. Prints one closing line
// "N passed, N failed" so the whole run reads as one result.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { findChromium, NO_CHROMIUM_MESSAGE } from './find-chromium.mjs';

const chromium = await findChromium();
if (!chromium) {
  console.error(NO_CHROMIUM_MESSAGE);
  process.exit(1);
}
process.env.CHROMIUM_PATH = chromium;

const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  return r.status === 0;
}

if (!step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

// ESLint (type-aware) and Prettier's check: a finding counts as one failure; the tests still run.
if (!step('lint (npm run lint)', 'npm', ['run', '--silent', 'lint'])) failed += 1;

const unitReport = 'tests/.artifacts/unit.json';
step('unit tests', 'npx', [
  'vitest',
  'run',
  '--config',
  'vitest.config.ts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${unitReport}`,
]);
if (existsSync(unitReport)) {
  const r = JSON.parse(readFileSync(unitReport, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.success || r.numFailedTests > 0 ? 0 : 1);
} else failed += 1;

const built =
  step('build', 'npx', ['vite', 'build', '--logLevel', 'warn']) &&
  step('build (in-page API)', 'npx', ['vite', 'build', '--config', 'vite.lib.config.ts', '--logLevel', 'warn']) &&
  step('build (widget loader)', 'npx', ['vite', 'build', '--config', 'vite.embed.config.ts', '--logLevel', 'warn']) &&
  step('build (in-page API types: dist/lite-coder.d.ts)', 'npm', ['run', '--silent', 'build:types']) &&
  step('build (test harness)', 'npx', ['vite', 'build', '--config', 'vite.test.config.ts', '--logLevel', 'warn']) &&
  step('build (Node runtime, bench:node)', 'npx', [
    'vite',
    'build',
    '--config',
    'vite.node.config.ts',
    '--logLevel',
    'warn',
  ]);
if (!built) {
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

const browserReport = resolve('tests/.artifacts/browser.json');
rmSync(browserReport, { force: true });
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = browserReport;
step('browser tests (Chromium, WebGPU on its own adapter)', 'npx', [
  'playwright',
  'test',
  '--config',
  'tests/browser/playwright.config.ts',
  '--reporter=list,json',
  ...extra,
]);
if (existsSync(browserReport)) {
  const s = JSON.parse(readFileSync(browserReport, 'utf8')).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  if (s.expected + s.unexpected + s.flaky === 0) failed += 1;
} else failed += 1;

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
