/** Helpers for driving the model store screen and reading what it wrote to IndexedDB. */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dequantFileRows, dequantStoredRows } from '../../../workers/gguf/dequant';
import { ggmlTypeByName } from '../../../workers/gguf/ggml-types';
import type { ModelManifest } from '../../../workers/store/types';
import { FIXTURE_DIR } from './fixtures';

export const fixtureFile = (name: string) => new Uint8Array(readFileSync(`${FIXTURE_DIR}models/${name}`));

export async function openModels(page: Page): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await page.getByTestId('tab-models').click();
  await expect(page.getByRole('heading', { name: 'Stored models' })).toBeVisible();
}

/** Reload the page (the worker with it) and come back to the Models screen. */
export async function reopenModels(page: Page): Promise<void> {
  await page.reload();
  await page.getByTestId('tab-models').click();
}

export async function importUrl(page: Page, url: string): Promise<void> {
  await page.getByTestId('import-url').fill(url);
  await page.getByTestId('import-url-button').click();
}

export async function importFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page
    .getByTestId('import-file')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

export async function expectStored(page: Page): Promise<void> {
  await expect(page.getByTestId('import-notice')).toContainText('is stored', { timeout: 60_000 });
}

export interface StoreDump {
  manifests: Omit<ModelManifest, 'tokenizer'>[];
  /** record key joined with '/', and its bytes (as a latin1 string, to cross the page boundary) */
  records: [string, string][];
}

/** Everything the store holds, read straight from IndexedDB in the page. */
export async function dumpStore(page: Page): Promise<StoreDump> {
  return page.evaluate(async () => {
    const open = (name: string) =>
      new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
        r.onupgradeneeded = () => r.result.createObjectStore(name === 'lite-coder-catalog' ? 'manifests' : 'records');
      });
    const all = async (db: IDBDatabase, store: string) =>
      new Promise<[IDBValidKey[], unknown[]]>((res, rej) => {
        const tx = db.transaction(store, 'readonly');
        const keys = tx.objectStore(store).getAllKeys();
        const vals = tx.objectStore(store).getAll();
        tx.oncomplete = () => res([keys.result, vals.result]);
        tx.onerror = () => rej(tx.error);
      });
    const catalog = await open('lite-coder-catalog');
    const [, manifests] = await all(catalog, 'manifests');
    const recs = await open('lite-coder-records');
    const [keys, values] = await all(recs, 'records');
    catalog.close();
    recs.close();
    const latin1 = (buf: ArrayBuffer) => {
      const b = new Uint8Array(buf);
      let s = '';
      for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
      return s;
    };
    return {
      manifests: (manifests as ModelManifest[]).map(({ tokenizer: _t, ...m }) => m),
      records: keys.map(
        (k, i) => [(k as unknown[]).join('/'), latin1((values[i] as { data: ArrayBuffer }).data)] as [string, string],
      ),
    };
  });
}

/** Every record of the model equals, value for value, the file's own blocks. */
export function expectRecordsMatchFile(dump: StoreDump, file: Uint8Array): void {
  expect(dump.manifests).toHaveLength(1);
  const m = dump.manifests[0]!;
  expect(m.state).toBe('ready');
  const stored = new Map(dump.records.map(([k, v]) => [k, Uint8Array.from(v, (c) => c.charCodeAt(0))]));
  expect(stored.size).toBe(m.records.length);
  for (const r of m.records) {
    const rec = stored.get(r.key.join('/'));
    expect(rec, r.key.join('/')).toBeDefined();
    expect(rec!.byteLength).toBe(r.bytes);
    let at = 0;
    for (const s of r.slices) {
      const type = ggmlTypeByName(s.tensor.type);
      const want = dequantFileRows(
        type,
        file.subarray(s.fileOffset, s.fileOffset + s.fileBytes),
        s.tensor.rowWeights,
        s.rows,
      );
      const part = rec!.subarray(at, at + s.rows * s.tensor.rowStride);
      const got = dequantStoredRows(type, part, s.tensor.rowWeights, s.rows, s.tensor.rowStride);
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer)), `${r.key.join('/')} ${s.tensor.name}`).toBe(
        true,
      );
      at += part.byteLength;
    }
  }
}
