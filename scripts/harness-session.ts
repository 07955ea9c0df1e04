/**
 * A headless Chromium on the harness page, with the built app and a model file served on loopback:
 * what the command-line tools use to run the real store and runtime. The browser has a profile of its
 * own in a temporary folder (removed at close), so IndexedDB is on disk with the disk's quota, as for
 * a user: an incognito context would keep a 10 GB model in memory, within a quota of a few GB.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CHROMIUM_ARGS } from './chromium';
import { startStaticServer } from './static-server.mjs';
import { findChromium, NO_CHROMIUM_MESSAGE } from './find-chromium.mjs';

interface Server {
  url: string;
  close(): Promise<void>;
}

export interface Session {
  page: Page;
  modelUrl: string;
  close(): Promise<void>;
}

export async function openSession(modelPath: string): Promise<Session> {
  if (!existsSync(modelPath)) throw new Error(`no such file: ${modelPath}`);
  if (!existsSync('dist/index.html') || !existsSync('dist-test/tests/harness/harness.html')) {
    throw new Error('the app and its test harness are not built: run `npm run build && npm run build:test`');
  }
  const executablePath = await findChromium();
  if (!executablePath) throw new Error(NO_CHROMIUM_MESSAGE);
  const app = (await startStaticServer({ root: 'dist', overlays: ['dist-test'] })) as Server;
  const files = (await startStaticServer({ root: dirname(resolve(modelPath)), cors: true })) as Server;
  const profile = mkdtempSync(join(tmpdir(), 'lite-coder-profile-'));
  let context: BrowserContext | undefined;
  const closeAll = async () => {
    await context?.close();
    await app.close();
    await files.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${app.url}/tests/harness/harness.html`);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    return { page, modelUrl: `${files.url}/${encodeURIComponent(basename(modelPath))}`, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** The message of an error thrown inside page.evaluate, without Playwright's wrapping. */
export function pageErrorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg
    .replace(/^page\.evaluate: /, '')
    .replace(/^(Error|RangeError|TypeError): /, '')
    .split('\n')[0]!;
}
