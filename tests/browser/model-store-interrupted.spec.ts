import type { Page } from '@playwright/test';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { planRecords } from '../../workers/store/plan';
import { expect, test, type FixtureServer } from './support/fixtures';
import {
  dumpStore,
  expectRecordsMatchFile,
  expectStored,
  fixtureFile,
  importUrl,
  openModels,
  reopenModels,
} from './support/store';

const NAME = 'ds2-pub256-q4_k_m.gguf';
const SIZE = fixtureFile(NAME).byteLength;

/** Wait until the import has stored at least `fraction` of the file. */
async function waitForProgress(page: Page, fraction: number) {
  await expect
    .poll(
      async () => {
        const text =
          (await page
            .getByTestId('import-progress')
            .textContent()
            .catch(() => null)) ?? '';
        return Number(/(\d+)%/.exec(text)?.[1] ?? 0);
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(fraction * 100);
}

/** The file ranges fetched after `since` requests, other than the first (header) request. */
function rangesAfter(server: FixtureServer, since: number): [number, number][] {
  return server.state.requests
    .slice(since)
    .filter((r) => r.path.endsWith(NAME) && r.range)
    .map((r) => {
      const m = /bytes=(\d+)-(\d+)/.exec(r.range!)!;
      return [Number(m[1]), Number(m[2]) + 1] as [number, number];
    })
    .filter(([a]) => a !== 0);
}

async function storedRanges(page: Page): Promise<[number, number][]> {
  const dump = await dumpStore(page);
  const have = new Set(dump.records.map(([k]) => k));
  return dump.manifests[0]!.records.filter((r) => have.has(r.key.join('/'))).flatMap((r) =>
    r.slices.map((s) => [s.fileOffset, s.fileOffset + s.fileBytes] as [number, number]),
  );
}

const overlaps = (a: [number, number][], b: [number, number][]) =>
  a.some(([s, e]) => b.some(([s2, e2]) => s < e2 && s2 < e));

test('a server without Range support still streams, and the app says it cannot resume', async ({
  page,
  fixtureServer,
}) => {
  fixtureServer.state.range = false;
  fixtureServer.state.bytesPerSecond = 150_000;
  await openModels(page);
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await expect(page.getByTestId('import-note')).toContainText('does not support resuming', { timeout: 60_000 });
  await expectStored(page);
  expectRecordsMatchFile(await dumpStore(page), fixtureFile(NAME));
  const gets = fixtureServer.state.requests.filter((r) => r.path.endsWith(NAME));
  expect(gets).toHaveLength(1); // one streamed response, read front to back
  expect(gets[0]!.status).toBe(200);
});

test('an import resumes after a reload without fetching again what is stored', async ({ page, fixtureServer }) => {
  fixtureServer.state.bytesPerSecond = 60_000;
  await openModels(page);
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await waitForProgress(page, 0.4);
  await reopenModels(page); // the worker dies mid-import, as in a crash or a closed tab
  await expect(page.getByTestId('model-state')).toContainText('incomplete');
  const kept = await storedRanges(page);
  expect(kept.length).toBeGreaterThan(0);

  fixtureServer.state.bytesPerSecond = 0;
  const since = fixtureServer.state.requests.length;
  await page.getByTestId('model-resume').click();
  await expectStored(page);
  expect(overlaps(rangesAfter(fixtureServer, since), kept)).toBe(false);
  const fetched = rangesAfter(fixtureServer, since).reduce((n, [a, b]) => n + b - a, 0);
  expect(fetched).toBeLessThan(SIZE - kept.reduce((n, [a, b]) => n + b - a, 0) + 1);
  expectRecordsMatchFile(await dumpStore(page), fixtureFile(NAME));
});

test('a network drop stops the import with a clear error, and importing again resumes it', async ({
  page,
  fixtureServer,
}) => {
  fixtureServer.state.dropAfterBytes = Math.floor(SIZE * 0.6);
  await openModels(page);
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await expect(page.getByTestId('import-error')).toContainText(/connection broke|Network error/);
  await expect(page.getByTestId('import-error')).toContainText('import the same URL or file again to resume');
  await expect(page.getByTestId('model-state')).toContainText('incomplete');
  const kept = await storedRanges(page);

  fixtureServer.state.dropAfterBytes = Infinity;
  const since = fixtureServer.state.requests.length;
  await page.getByTestId('model-resume').click();
  await expectStored(page);
  expect(overlaps(rangesAfter(fixtureServer, since), kept)).toBe(false);
  expectRecordsMatchFile(await dumpStore(page), fixtureFile(NAME));
});

test('not enough room: the quota is checked first and the missing amount named', async ({ page, fixtureServer }) => {
  await openModels(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 200_000 });
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await expect(page.getByTestId('import-error')).toContainText(
    /Not enough storage: the model needs .* more, but only .* is free \(.* missing\)/,
  );
  const dump = await dumpStore(page);
  expect(dump.manifests).toHaveLength(0);
  expect(dump.records).toHaveLength(0);
});

test('quota exceeded halfway: the import stops with a clear error and nothing is left', async ({
  page,
  fixtureServer,
}) => {
  await openModels(page);
  // Room for the records by the pre-check's count (3% to spare), but not for IndexedDB's own overhead
  // on top (about 8% here): the browser refuses a write part way through.
  const file = fixtureFile(NAME);
  const header = parseGgufHeader(file, file.byteLength);
  const { storedBytes } = planRecords('x', header, readDeepSeek2(header));
  const cdp = await page.context().newCDPSession(page);
  await expect(page.getByTestId('no-models')).toBeVisible(); // the store's databases exist
  await page.evaluate(() => navigator.serviceWorker.ready); // the app shell is precached: usage is settled
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  await cdp.send('Storage.overrideQuotaForOrigin', {
    origin: new URL(page.url()).origin,
    quotaSize: (usage ?? 0) + Math.ceil(storedBytes * 1.03),
  });
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await expect(page.getByTestId('import-error')).toContainText('Storage is full', { timeout: 30_000 });
  const served = fixtureServer.state.requests.filter((r) => r.path.endsWith(NAME)).reduce((n, r) => n + r.bytes, 0);
  expect(served).toBeGreaterThan(storedBytes / 2); // it failed while writing records, not up front
  const dump = await dumpStore(page);
  expect(dump.manifests).toHaveLength(0);
  expect(dump.records).toHaveLength(0);
  await expect(page.getByTestId('no-models')).toBeVisible();
});

test('cancel stops the import and keeps nothing', async ({ page, fixtureServer }) => {
  fixtureServer.state.bytesPerSecond = 60_000;
  await openModels(page);
  await importUrl(page, `${fixtureServer.url}/models/${NAME}`);
  await waitForProgress(page, 0.2);
  await expect(page.getByTestId('import-progress')).toContainText(/\/s/);
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-error')).toContainText('Import cancelled');
  const dump = await dumpStore(page);
  expect(dump.manifests).toHaveLength(0);
  expect(dump.records).toHaveLength(0);
});
