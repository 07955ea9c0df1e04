/**
 * The import screen as a newcomer meets it (issue 12): the common files with their sizes and the one
 * this device should take, a failed download that says why, and the way on to the chat.
 */
import { expect, test } from './support/fixtures';
import { FIXTURE_DIR } from './support/fixtures';
import { expectStored, fixtureFile, importFile, importUrl, openModels } from './support/store';
import { startStaticServer } from '../../scripts/static-server.mjs';

test('the common files are listed with their sizes and one recommended; choosing one fills the URL', async ({
  page,
}) => {
  await openModels(page);
  const options = page.getByTestId('quant-option');
  for (const q of ['Q4_K_M', 'Q4_0', 'Q3_K_M', 'IQ4_XS', 'Q5_K_M', 'Q6_K', 'Q8_0']) {
    await expect(options.filter({ hasText: q }).first()).toContainText(/\d+(\.\d+)? GB/);
  }
  // The recommendation follows the device check. A test browser's storage is small (about 1.5 GB here,
  // an incognito profile), so no file fits: the screen says so, with the free space, and recommends none
  // (which file a larger quota or a measured GPU gets is tests/unit/recommend.test.ts's).
  const free = await page.evaluate(async () => {
    const e = await navigator.storage.estimate();
    return e.quota! - e.usage!;
  });
  const smallest = 6.43e9;
  if (free < smallest) {
    await expect(page.getByTestId('quant-recommendation')).toContainText(
      /None of these files fits the \d+(\.\d+)? [GM]B of storage/,
    );
    await expect(page.locator('[data-testid="quant-option"][data-recommended="1"]')).toHaveCount(0);
  } else {
    await expect(page.locator('[data-testid="quant-option"][data-recommended="1"]')).toHaveCount(1);
    await expect(page.getByTestId('quant-recommendation')).toContainText('Recommended for this device');
  }
  await expect(page.getByTestId('import-url')).toHaveValue(/Q4_K_M\.gguf$/);
  await expect(page.getByTestId('import-url-button')).toContainText('10.36 GB');
  await options.filter({ hasText: 'Q8_0' }).click();
  await expect(page.getByTestId('import-url')).toHaveValue(/Q8_0\.gguf$/);
  await expect(page.getByTestId('import-url-button')).toContainText('16.70 GB');
});

test("a download the network refuses says whether the page is offline or the server's cross-origin rules refuse it", async ({
  page,
  context,
  fixtureServer,
}) => {
  const noCors = await startStaticServer({ root: FIXTURE_DIR, cors: false });
  try {
    await openModels(page);
    await importUrl(page, `${noCors.url}/models/ds2-pub-q4_0.gguf`);
    const error = page.getByTestId('import-error');
    await expect(error).toContainText('cross-origin');
    await expect(error).toContainText(new URL(noCors.url).host);
    await expect(error).not.toContainText('Failed to fetch');

    await context.setOffline(true);
    await importUrl(page, `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`);
    await expect(error).toContainText('offline');
    await expect(error).not.toContainText('Failed to fetch');
    await context.setOffline(false);
  } finally {
    await noCors.close();
  }
});

test('a local file import says reading, and Start chatting opens the chat with that model', async ({ page }) => {
  await openModels(page);
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { phases: string[] }).phases = seen;
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="import-phase"]')?.textContent;
      if (p && seen.at(-1) !== p) seen.push(p);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await importFile(page, 'ds2-pub-q4_0.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
  await expectStored(page);
  const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
  expect(phases).toContain('reading the file');
  expect(phases.join(' ')).not.toContain('download');
  const id = await page.getByTestId('model-row').getAttribute('data-model-id');
  await page.getByTestId('start-chatting').click();
  await expect(page.getByTestId('chat-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-picker')).toHaveValue(id!);
});
