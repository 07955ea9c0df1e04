/**
 * The installable, offline app: manifest and icons, the service worker's precache (app shell only: no
 * model weights, no test harness pages, no source maps), offline start, and the "Update available —
 * Reload" flow between two builds.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../../scripts/chromium';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { expect, test, type FixtureServer } from './support/fixtures';
import { send, setMaxTokens, waitForModel, waitForReply } from './support/chat';
import { expectStored, importUrl } from './support/store';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SEEN_KEY = 'lite-coder.device-check-seen';

declare global {
  interface Window {
    __LITE_CODER_VERSION__?: string;
  }
}

/** Every URL in Cache Storage, by cache. */
async function cachedUrls(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    return out;
  });
}

/** Visits '/', waits for the service worker, and reloads so that it certainly controls the page. */
async function openControlled(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null)).toBe('activated');
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('the manifest is linked and valid, and the icons load', async ({ page }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute('content', /^#[0-9a-f]{6}$/i);
  const apple = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');

  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/manifest+json');
  const manifest = (await res.json()) as {
    name: string;
    short_name: string;
    description: string;
    start_url: string;
    scope: string;
    display: string;
    theme_color: string;
    background_color: string;
    icons: { src: string; sizes: string; type: string; purpose: string }[];
  };
  expect(manifest).toMatchObject({ name: 'Lite Coder', start_url: '.', scope: '.', display: 'standalone' });
  expect(manifest.short_name.length).toBeGreaterThan(0);
  expect(manifest.short_name.length).toBeLessThanOrEqual(12);
  expect(manifest.description.length).toBeGreaterThan(0);
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  expect(pngs.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  expect(manifest.icons.some((i) => i.type === 'image/svg+xml')).toBe(true);
  for (const icon of pngs) {
    const r = await page.request.get(new URL(icon.src, new URL(href!, page.url())).href);
    expect(r.status(), icon.src).toBe(200);
    expect(r.headers()['content-type']).toBe('image/png');
    const [w, h] = icon.sizes.split('x').map(Number);
    expect(pngSize(await r.body())).toEqual({ width: w, height: h });
  }
  const svg = manifest.icons.find((i) => i.type === 'image/svg+xml')!;
  const svgRes = await page.request.get(new URL(svg.src, new URL(href!, page.url())).href);
  expect(svgRes.status()).toBe(200);
  expect(await svgRes.text()).toContain('<svg');
  const appleRes = await page.request.get(apple!);
  expect(appleRes.headers()['content-type']).toBe('image/png');
  expect(pngSize(await appleRes.body())).toEqual({ width: 180, height: 180 });
});

test('Chromium finds the app installable', async ({ baseURL }) => {
  // Test contexts are off the record, where nothing is installable ("in-incognito"): use a real profile.
  const profile = mkdtempSync(join(tmpdir(), 'lite-coder-pwa-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    baseURL,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const cdp = await context.newCDPSession(page);
    const parsed = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[] };
    expect(parsed.url).toMatch(/\/manifest\.webmanifest$/);
    expect(parsed.errors).toEqual([]);
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installability.installabilityErrors).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('after one visit the app starts offline; weights and harness pages never reach Cache Storage', async ({
  page,
  context,
}) => {
  await page.addInitScript((k) => localStorage.setItem(k, '1'), SEEN_KEY);
  await openControlled(page);

  const caches1 = await cachedUrls(page);
  const urls = Object.values(caches1)
    .flat()
    .map((u) => new URL(u).pathname);
  // The app shell: index.html, the entry, the engine worker (with the WGSL kernels in it), lazy chunks.
  expect(urls).toContain('/index.html');
  expect(urls).toContain('/embed.html'); // the widget works offline too
  expect(urls).toContain('/manifest.webmanifest');
  expect(urls).toContain('/icons/icon-192.png');
  expect(urls.some((u) => /^\/assets\/main-[\w-]+\.js$/.test(u))).toBe(true);
  expect(urls.some((u) => /^\/assets\/main-[\w-]+\.css$/.test(u))).toBe(true);
  expect(urls.some((u) => /^\/assets\/engine\.worker-[\w-]+\.js$/.test(u))).toBe(true);
  expect(urls.some((u) => /^\/assets\/python-[\w-]+\.js$/.test(u))).toBe(true);
  const worker = urls.find((u) => /^\/assets\/engine\.worker-[\w-]+\.js$/.test(u))!;
  expect(await (await page.request.get(worker)).text()).toContain('@compute');
  // ... and nothing else.
  expect(urls.filter((u) => /\.gguf$|\.map$|^\/tests\/|harness|sampler-|bench-/.test(u))).toEqual([]);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('h1.brand')).toHaveText('Lite Coder');
  await expect(page.getByText('No model is stored yet', { exact: false })).toBeVisible();

  // Every precached file is there offline.
  const failed = await page.evaluate(async (list) => {
    const bad: string[] = [];
    for (const u of list) {
      const r = await fetch(u).catch(() => null);
      if (!r?.ok) bad.push(u);
    }
    return bad;
  }, urls);
  expect(failed).toEqual([]);

  await page.getByTestId('tab-device').click();
  await expect(page.getByTestId('device-check')).toBeVisible();
  await expect(page.getByTestId('verdict')).toBeVisible();
  await page.getByTestId('tab-models').click();
  await expect(page.getByRole('heading', { name: 'Stored models' })).toBeVisible();
  await expect(page.getByTestId('no-models')).toBeVisible();

  // Deep links fall back to the app shell; the harness pages are not served offline.
  await page.goto('/some/deep/link');
  await expect(page.locator('h1.brand')).toHaveText('Lite Coder');
  await expect(page.goto('/tests/harness/harness.html')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  await context.setOffline(false);
});

test('a model imported under the service worker goes to IndexedDB only; then, offline and reloaded, the app lists it and chats', async ({
  page,
  context,
  fixtureServer,
}) => {
  await page.addInitScript((k) => localStorage.setItem(k, '1'), SEEN_KEY);
  await openControlled(page);

  // Same-origin Range requests are not answered from the precache (that would be a 200 of the whole file).
  const range = await page.evaluate(async () => {
    const r = await fetch('/icons/icon-512.png', { headers: { Range: 'bytes=0-9' } });
    return { status: r.status, length: (await r.arrayBuffer()).byteLength };
  });
  expect(range).toEqual({ status: 206, length: 10 });

  await importModel(page, fixtureServer);
  const gguf = fixtureServer.state.requests.filter((r) => r.path.endsWith('.gguf') && r.method === 'GET');
  expect(gguf.length).toBeGreaterThan(0);
  expect(gguf.some((r) => r.range !== null && r.status === 206)).toBe(true);
  const cached = Object.values(await cachedUrls(page)).flat();
  const origin = new URL(page.url()).origin;
  expect(cached.filter((u) => u.includes('.gguf') || new URL(u).origin !== origin)).toEqual([]);

  // Offline (as on a plane), the app starts, lists the stored model from IndexedDB, and chats.
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('tab-models').click();
  await expect(page.getByTestId('model-list')).toContainText('ds2-pub-q4_0');
  await page.getByTestId('tab-chat').click();
  await waitForModel(page);
  await setMaxTokens(page, 6);
  await send(page, 'hello, offline');
  await waitForReply(page);
  await expect(page.getByTestId('msg-assistant').locator('.error')).toHaveCount(0);
  // Still offline: the network itself refuses (navigator.onLine is not a witness: Chromium 150
  // reports true in a page its service worker served while the context is offline).
  const probe = await page.evaluate(
    async (u) =>
      fetch(u).then(
        (r) => `fetched ${r.status}`,
        (e: Error) => e.name,
      ),
    `${fixtureServer.url}/models/prompts.json`,
  );
  expect(probe).toBe('TypeError');
  await context.setOffline(false);
});

async function importModel(page: Page, server: FixtureServer): Promise<void> {
  await page.getByTestId('tab-models').click();
  await importUrl(page, `${server.url}/models/ds2-pub-q4_0.gguf`);
  await expectStored(page);
}

test.describe('updates', () => {
  let dir = '';
  const build = (version: string): string => {
    const out = join(dir, version);
    execFileSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: REPO,
      env: { ...process.env, LC_VERSION: version },
      stdio: 'pipe',
    });
    return out;
  };
  let v1 = '';
  let v2 = '';

  test.beforeAll(() => {
    test.setTimeout(240_000);
    dir = mkdtempSync(join(tmpdir(), 'lite-coder-pwa-'));
    v1 = build('pwa-test-1');
    v2 = build('pwa-test-2');
  });
  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a new version shows "Update available", reloads only when asked and not mid-answer, and keeps the chats', async ({
    browser,
  }) => {
    let server = await startStaticServer({ root: v1, spaFallback: 'index.html' });
    const port: number = server.port;
    const context: BrowserContext = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript((k) => localStorage.setItem(k, '1'), SEEN_KEY);
      await openControlled(page, `${server.url}/`);
      expect(await page.evaluate(() => window.__LITE_CODER_VERSION__)).toBe('pwa-test-1');
      await expect(page.locator('meta[name="lite-coder-version"]')).toHaveAttribute('content', 'pwa-test-1');
      await expect(page.getByTestId('update-banner')).toHaveCount(0);

      const now = Date.now();
      const record = {
        id: 'pwa-update-probe',
        title: 'Survives the update',
        createdAt: now,
        updatedAt: now,
        systemPrompt: '',
        settings: { temperature: 0.3, top_p: 0.95, max_tokens: 512, seed: null },
        nodes: { u1: { id: 'u1', parent: null, role: 'user', content: 'hello from v1', createdAt: now } },
        active: { root: 'u1' },
        contextFrom: null,
      };
      await page.evaluate(
        (rec) =>
          new Promise<void>((res, rej) => {
            const r = indexedDB.open('lite-coder-chats');
            r.onupgradeneeded = () => r.result.createObjectStore('conversations');
            r.onerror = () => rej(r.error);
            r.onsuccess = () => {
              const tx = r.result.transaction('conversations', 'readwrite');
              tx.objectStore('conversations').put(rec, rec.id);
              tx.oncomplete = () => {
                r.result.close();
                res();
              };
              tx.onerror = () => rej(tx.error);
            };
          }),
        record,
      );

      // The same origin now serves the second build.
      await server.close();
      server = await startStaticServer({ root: v2, port, spaFallback: 'index.html' });
      await page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())!.update();
      });

      const banner = page.getByTestId('update-banner');
      await expect(banner).toBeVisible();
      await expect(banner).toContainText('Update available');
      await expect(page.getByTestId('update-reload')).toHaveText('Reload');
      // Nothing reloads by itself.
      await page.waitForTimeout(1500);
      expect(await page.evaluate(() => window.__LITE_CODER_VERSION__)).toBe('pwa-test-1');

      // Mid-answer, the reload waits until the answer is finished.
      await page.evaluate(() => {
        const d = document.createElement('div');
        d.id = 'fake-streaming';
        d.dataset.streaming = '1';
        document.body.append(d);
      });
      await page.getByTestId('update-reload').click();
      await expect(banner).toHaveAttribute('data-phase', 'busy');
      await expect(banner).toContainText('finished');
      await page.waitForTimeout(1500);
      expect(await page.evaluate(() => window.__LITE_CODER_VERSION__)).toBe('pwa-test-1');

      await Promise.all([
        page.waitForEvent('load'),
        page.evaluate(() => document.getElementById('fake-streaming')!.remove()),
      ]);
      await expect.poll(() => page.evaluate(() => window.__LITE_CODER_VERSION__)).toBe('pwa-test-2');
      await expect(page.locator('meta[name="lite-coder-version"]')).toHaveAttribute('content', 'pwa-test-2');
      await expect(page.getByTestId('update-banner')).toHaveCount(0);
      await expect(page.locator('h1.brand')).toHaveText('Lite Coder');

      // The new service worker controls the page and the old precache is gone; the chats are still there.
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
      const stored = await page.evaluate(
        () =>
          new Promise<unknown>((res, rej) => {
            const r = indexedDB.open('lite-coder-chats');
            r.onerror = () => rej(r.error);
            r.onsuccess = () => {
              const get = r.result
                .transaction('conversations', 'readonly')
                .objectStore('conversations')
                .get('pwa-update-probe');
              get.onsuccess = () => {
                r.result.close();
                res(get.result);
              };
              get.onerror = () => rej(get.error);
            };
          }),
      );
      expect(stored).toEqual(record);
      await expect(page.getByText('Survives the update').first()).toBeVisible();
    } finally {
      await context.close();
      await server.close();
    }
  });
});
