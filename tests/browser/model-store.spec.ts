import { badFiles } from '../support/bad-gguf';
import { expect, test } from './support/fixtures';
import {
  dumpStore,
  expectRecordsMatchFile,
  expectStored,
  fixtureFile,
  importFile,
  importUrl,
  openModels,
  reopenModels,
} from './support/store';

const FIXTURES = [
  'ds2-pub-f32.gguf',
  'ds2-pub-legacy-f32.gguf',
  'ds2-pub-q8_0.gguf',
  'ds2-pub-q4_0.gguf',
  'ds2-pub256-q4_k_m.gguf',
];

test.describe('importing each fixture stores records equal to the file', () => {
  for (const name of FIXTURES) {
    test(`${name} by URL`, async ({ page, fixtureServer }) => {
      await openModels(page);
      await importUrl(page, `${fixtureServer.url}/models/${name}`);
      await expectStored(page);
      await expect(page.getByTestId('model-state')).toHaveText('ready');
      expectRecordsMatchFile(await dumpStore(page), fixtureFile(name));
      // Streamed with range requests, never as one whole-file response.
      expect(fixtureServer.state.requests.filter((r) => r.path.endsWith(name)).every((r) => r.status === 206)).toBe(
        true,
      );
    });

    test(`${name} by file`, async ({ page }) => {
      await openModels(page);
      await importFile(page, name, fixtureFile(name));
      await expectStored(page);
      expectRecordsMatchFile(await dumpStore(page), fixtureFile(name));
    });
  }
});

test('a file dropped on the page is imported', async ({ page }) => {
  await openModels(page);
  const bytes = [...fixtureFile('ds2-pub-q4_0.gguf')];
  const dt = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.gguf'));
    return dt;
  }, bytes);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
  await expectStored(page);
  expectRecordsMatchFile(await dumpStore(page), fixtureFile('ds2-pub-q4_0.gguf'));
});

test('the store survives a reload, verifies, and deleting frees it', async ({ page, fixtureServer }) => {
  await openModels(page);
  await importUrl(page, `${fixtureServer.url}/models/ds2-pub256-q4_k_m.gguf`);
  await expectStored(page);
  await reopenModels(page);
  await expect(page.getByTestId('model-state')).toHaveText('ready');
  await expect(page.getByTestId('model-name')).toHaveText('ds2-pub256-f32');
  await page.getByTestId('model-verify').click();
  await expect(page.getByTestId('verify-result')).toContainText('Verified: all');
  expectRecordsMatchFile(await dumpStore(page), fixtureFile('ds2-pub256-q4_k_m.gguf'));

  await page.getByTestId('model-delete').click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('no-models')).toBeVisible();
  const after = await dumpStore(page);
  expect(after.manifests).toHaveLength(0);
  expect(after.records).toHaveLength(0);
});

test('verify finds a damaged record', async ({ page }) => {
  await openModels(page);
  await importFile(page, 'm.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
  await expectStored(page);
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open('lite-coder-records');
      r.onsuccess = () => res(r.result);
    });
    const tx = db.transaction('records', 'readwrite');
    const cursorReq = tx.objectStore('records').openCursor();
    await new Promise<void>((res) => {
      cursorReq.onsuccess = () => {
        const c = cursorReq.result!;
        const v = c.value as { sha256: string; data: ArrayBuffer };
        new Uint8Array(v.data)[0]! ^= 0xff;
        c.update(v);
        res();
      };
    });
    await new Promise((res) => {
      tx.oncomplete = res;
    });
    db.close();
  });
  await page.getByTestId('model-verify').click();
  await expect(page.getByTestId('verify-result')).toContainText('does not match its checksum');
});

test.describe('bad input gets a clear error and leaves the store as it was', () => {
  for (const bad of badFiles()) {
    test(bad.name, async ({ page }) => {
      await openModels(page);
      await importFile(page, 'good.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
      await expectStored(page);
      const before = await dumpStore(page);
      const started = Date.now();
      await importFile(page, bad.name, bad.bytes);
      await expect(page.getByTestId('import-error')).toContainText(bad.says, { timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await dumpStore(page)).toEqual(before);
    });
  }
});
