import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../scripts/chromium';

// LC_PORT / LC_DIST let two checkouts run their browser tests side by side. The test harness pages
// (dist-test/, vite.test.config.ts) are served beside the app, on its origin.
export const APP_PORT = Number(process.env.LC_PORT ?? 4173);
const DIST = process.env.LC_DIST ?? 'dist';
const DIST_TEST = process.env.LC_DIST_TEST ?? 'dist-test';

// The browser is Chromium with WebGPU turned on. Served from 127.0.0.1, the page is a secure
// context, so WebGPU runs on Chromium's own SwiftShader adapter: slow, but real.
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: '../.artifacts/playwright',
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    // tests/conformance: page code written for web-llm (served as is, at /webllm/).
    command: `node scripts/serve.mjs --port ${APP_PORT} --root ${DIST} --overlay ${DIST_TEST} --overlay tests/conformance`,
    cwd: '../..',
    url: `http://127.0.0.1:${APP_PORT}/`,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
  },
});
