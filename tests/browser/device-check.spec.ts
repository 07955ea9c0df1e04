import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

const SEEN_KEY = 'lite-coder.device-check-seen';

/** Opens the app as a first visit (every test gets a fresh context) and waits for the probe. */
async function openDeviceCheck(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('device-check')).toBeVisible();
  await expect(page.getByTestId('verdict')).toBeVisible();
}

const bytesOf = async (page: Page, testid: string) => Number(await page.getByTestId(testid).getAttribute('data-value'));

test('a first visit shows what SwiftShader offers and says the model cannot run on it', async ({ page }) => {
  await openDeviceCheck(page);

  await expect(page.getByTestId('webgpu')).toHaveAttribute('data-value', 'yes');
  await expect(page.getByTestId('adapter-vendor')).toHaveText('google');
  await expect(page.getByTestId('adapter-architecture')).toHaveText('swiftshader');
  await expect(page.getByTestId('adapter-kind')).toHaveAttribute('data-value', 'software');

  await expect(page.getByTestId('limit-max-buffer-size')).toHaveText('1,073,741,824 bytes (1 GiB)');
  await expect(page.getByTestId('limit-max-buffer-size')).toHaveAttribute('data-value', '1073741824');
  await expect(page.getByTestId('limit-max-storage-buffer-binding-size')).toHaveText('1,073,741,824 bytes (1 GiB)');
  await expect(page.getByTestId('limit-max-storage-buffer-binding-size')).toHaveAttribute('data-value', '1073741824');

  await expect(page.getByTestId('feature-shader-f16')).toHaveAttribute('data-value', 'no');
  await expect(page.getByTestId('feature-shader-f16')).toHaveText('Not available');
  await expect(page.getByTestId('feature-subgroups')).toHaveAttribute('data-value', 'yes');
  await expect(page.getByTestId('feature-subgroups')).toHaveText('Available');

  // The memory probe must never run on a software adapter: it would allocate system RAM.
  await expect(page.getByTestId('gpu-memory')).toHaveAttribute('data-value', 'skipped');
  await expect(page.getByTestId('gpu-memory')).toContainText('software renderer');

  const quota = await bytesOf(page, 'storage-quota');
  const usage = await bytesOf(page, 'storage-usage');
  const free = await bytesOf(page, 'storage-free');
  expect(quota).toBeGreaterThan(0);
  expect(usage).toBeGreaterThanOrEqual(0);
  expect(free).toBe(quota - usage);
  await expect(page.getByTestId('storage-persisted')).toHaveAttribute('data-value', 'no');
  await expect(page.getByTestId('storage-persisted')).toContainText('Not granted');

  const verdict = page.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'cannot-run');
  await expect(page.getByTestId('verdict-headline')).toHaveText('Your GPU cannot run DeepSeek-Coder-V2-Lite.');
  await expect(page.getByTestId('verdict-reason').first()).toHaveText(
    'The GPU adapter is a software renderer (swiftshader) that runs on the CPU: DeepSeek-Coder-V2-Lite would take minutes per token on it.',
  );
});

test('the report matches what the page itself sees through WebGPU', async ({ page }) => {
  await openDeviceCheck(page);
  const seen = await page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    return {
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      shaderF16: adapter.features.has('shader-f16'),
      subgroups: adapter.features.has('subgroups'),
    };
  });
  expect(seen).not.toBeNull();
  await expect(page.getByTestId('adapter-vendor')).toHaveText(seen!.vendor);
  await expect(page.getByTestId('adapter-architecture')).toHaveText(seen!.architecture);
  expect(await bytesOf(page, 'limit-max-buffer-size')).toBe(seen!.maxBufferSize);
  expect(await bytesOf(page, 'limit-max-storage-buffer-binding-size')).toBe(seen!.maxStorageBufferBindingSize);
  await expect(page.getByTestId('feature-shader-f16')).toHaveAttribute('data-value', seen!.shaderF16 ? 'yes' : 'no');
  await expect(page.getByTestId('feature-subgroups')).toHaveAttribute('data-value', seen!.subgroups ? 'yes' : 'no');
});

test('asking for persistent storage reports the answer and re-probes', async ({ page }) => {
  await openDeviceCheck(page);
  await page.getByTestId('ask-persist').click();
  await expect(page.getByTestId('persist-note')).toBeVisible();
  await expect(page.getByTestId('device-check')).toHaveAttribute('aria-busy', 'false');

  const persisted = await page.evaluate(() => navigator.storage.persisted());
  await expect(page.getByTestId('storage-persisted')).toHaveAttribute('data-value', persisted ? 'yes' : 'no');
  await expect(page.getByTestId('persist-note')).toContainText(persisted ? 'granted' : 'declined');
  // Once granted there is nothing left to ask for.
  await expect(page.getByTestId('ask-persist')).toHaveCount(persisted ? 0 : 1);
});

test('continue leaves the device check and it is not shown first again', async ({ page }) => {
  await openDeviceCheck(page);
  await page.getByTestId('continue').click();
  await expect(page.getByTestId('device-check')).toHaveCount(0);
  expect(await page.evaluate((key) => localStorage.getItem(key), SEEN_KEY)).toBe('1');

  await page.reload();
  await expect(page.getByRole('button', { name: 'Can my device run it?' })).toBeVisible();
  await expect(page.getByTestId('device-check')).toHaveCount(0);
});

test('on a phone, it leads with what Lite Coder is, a one-line verdict and the next step; the details fold out', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openDeviceCheck(page);
  await expect(page.getByTestId('device-intro')).toHaveText(
    /^Lite Coder runs DeepSeek-Coder-V2-Lite, a 16B coding model, in your browser/,
  );
  // all of it on the first screen: what it is, the verdict, and the buttons that lead on
  for (const id of ['device-intro', 'verdict-headline', 'use-server', 'continue'])
    await expect(page.getByTestId(id)).toBeInViewport();
  const order = await page.evaluate(() =>
    ['device-intro', 'verdict', 'continue', 'device-details'].map(
      (id) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect().top,
    ),
  );
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  await expect(page.getByTestId('adapter-vendor')).toBeHidden();
  await page.getByTestId('device-details').locator('summary').click();
  await expect(page.getByTestId('adapter-vendor')).toBeVisible();
  await expect(page.getByTestId('storage-quota')).toBeVisible();
});
