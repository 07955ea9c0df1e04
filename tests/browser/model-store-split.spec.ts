/**
 * Split models (llama.cpp gguf-split: name-00001-of-00003.gguf, ...) import as one model: by the URL of
 * any of their files, by choosing or dropping all files at once, and through the in-page API. They
 * store the records the unsplit file stores and run identically; an import resumes across files; a
 * missing, foreign or misnumbered file is refused by name with nothing stored.
 */
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { SPLIT_KEYS } from '../../workers/gguf/split';
import { buildRecord, planRecords } from '../../workers/store/plan';
import type { TokenResult } from '../../workers/api';
import { setMeta } from '../support/gguf-edit';
import { splitGguf, type SplitFile } from '../support/gguf-split';
import { expect, serveFolder, test, type FixtureServer } from './support/fixtures';
import { openHarness, reference, runTwoTurns } from './support/model';
import {
  dumpStore,
  expectStored,
  fixtureFile,
  importFile,
  importUrl,
  openModels,
  reopenModels,
  type StoreDump,
} from './support/store';

const Q4 = fixtureFile('ds2-pub-q4_0.gguf');
const SET = splitGguf(Q4, 'ds2-pub-q4_0', 3);
const SET_BYTES = SET.reduce((n, f) => n + f.bytes.byteLength, 0);
/** Another model split the same way and named as SET: the same tensor names, other shapes. */
const FOREIGN = splitGguf(fixtureFile('ds2-pub256-q4_k_m.gguf'), 'ds2-pub-q4_0', 3);
/** Another model's set, under its own name. */
const OTHER_SET = splitGguf(fixtureFile('ds2-pub256-q4_k_m.gguf'), 'ds2-pub256-q4_k_m', 3);
/** SET with its third file saying it is the second. */
const MISNUMBERED = splitGguf(Q4, 'ds2-pub-q4_0', 3, (i, meta) => {
  if (i === 2) setMeta(meta, SPLIT_KEYS.no, { kind: 'u16', value: 1 });
});

interface Host {
  server: FixtureServer;
  done: () => Promise<void>;
}

/** Serve `files` from a folder of their own, cross-origin, as a model host would. */
async function serveFiles(files: readonly SplitFile[]): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-split-'));
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  const server = await serveFolder(dir);
  return {
    server,
    done: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The records an import of the unsplit `file` stores, by key without the model id (as latin1 strings, like dumpStore's). */
function recordsOf(file: Uint8Array): Map<string, string> {
  const h = parseGgufHeader(file, file.byteLength);
  const plan = planRecords('m', h, readDeepSeek2(h));
  return new Map(
    plan.records.map((r) => {
      const data = buildRecord(
        r,
        r.slices.map((s) => file.subarray(s.fileOffset, s.fileOffset + s.fileBytes)),
      );
      return [r.key.slice(1).join('/'), Buffer.from(data).toString('latin1')];
    }),
  );
}

/** The store holds one ready model whose records are, byte for byte, the unsplit file's. */
function expectRecordsOfUnsplit(dump: StoreDump, file: Uint8Array): void {
  expect(dump.manifests).toHaveLength(1);
  expect(dump.manifests[0]!.state).toBe('ready');
  const want = recordsOf(file);
  const got = new Map(dump.records.map(([k, v]) => [k.slice(k.indexOf('/') + 1), v]));
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, v] of want) expect(got.get(k) === v, k).toBe(true);
}

const asInputFiles = (files: readonly SplitFile[]) =>
  files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) }));

test("imports by the URL of any of its files, storing the unsplit file's records", async ({ page }) => {
  const host = await serveFiles(SET);
  try {
    await openModels(page);
    await importUrl(page, `${host.server.url}/${SET[1]!.name}`);
    await expectStored(page);
    const dump = await dumpStore(page);
    expectRecordsOfUnsplit(dump, Q4);
    const m = dump.manifests[0]!;
    expect(m.fileSize).toBe(SET_BYTES);
    expect(m.source).toMatchObject({ kind: 'url', url: `${host.server.url}/${SET[0]!.name}`, rangeSupported: true });
    expect(m.source.shards!.map((s) => [s.name, s.size])).toEqual(
      SET.map((f) => [`${host.server.url}/${f.name}`, f.bytes.byteLength]),
    );
    await expect(page.getByTestId('model-row')).toContainText('(split model: 3 files)');
    const gets = host.server.state.requests.filter((r) => r.method === 'GET');
    expect(new Set(gets.map((r) => r.path))).toEqual(new Set(SET.map((f) => `/${f.name}`)));
    expect(gets.every((r) => r.status === 206)).toBe(true);
  } finally {
    await host.done();
  }
});

test('imports by URL from a server without Range support, one response open at a time', async ({ page }) => {
  const K = fixtureFile('ds2-pub256-q4_k_m.gguf');
  const KSET = splitGguf(K, 'ds2-pub256-q4_k_m', 2); // each file larger than what its header's read takes
  const host = await serveFiles(KSET);
  try {
    host.server.state.range = false;
    await openModels(page);
    await importUrl(page, `${host.server.url}/${KSET[1]!.name}`);
    await expect(page.getByTestId('import-note')).toContainText('does not support resuming');
    await expectStored(page);
    expectRecordsOfUnsplit(await dumpStore(page), K);
    // Each file: one response for its header, let go once read; then, in order, one more for the data
    // that response had not brought yet (none when it had brought the whole file).
    const gets = host.server.state.requests
      .filter((r) => r.method === 'GET')
      .map((r) => {
        expect(r.status).toBe(200);
        return r.path;
      });
    const paths = KSET.map((f) => `/${f.name}`);
    expect(gets.slice(0, 2)).toEqual(paths);
    expect(paths.filter((p) => gets.slice(2).includes(p))).toEqual(gets.slice(2));
    expect(gets.length).toBeLessThanOrEqual(4);
  } finally {
    await host.done();
  }
});

test('imports all its files chosen at once, in any order', async ({ page }) => {
  await openModels(page);
  await page.getByTestId('import-file').setInputFiles(asInputFiles([SET[2]!, SET[0]!, SET[1]!]));
  await expectStored(page);
  const dump = await dumpStore(page);
  expectRecordsOfUnsplit(dump, Q4);
  expect(dump.manifests[0]!.source).toMatchObject({ kind: 'file', name: SET[0]!.name });
  expect(dump.manifests[0]!.source.shards!.map((s) => s.name)).toEqual(SET.map((f) => f.name));
});

test('imports all its files dropped at once', async ({ page }) => {
  await openModels(page);
  const dt = await page.evaluateHandle(
    (files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      return dt;
    },
    SET.map((f) => ({ name: f.name, bytes: [...f.bytes] })),
  );
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
  await expectStored(page);
  expectRecordsOfUnsplit(await dumpStore(page), Q4);
});

test('the in-page API imports it from an array of Files', async ({ page }) => {
  const PAGE = fileURLToPath(new URL('../harness/inpage-api.html', import.meta.url));
  await page.route('**/tests/harness/inpage-api.html', (route) =>
    route.fulfill({ path: PAGE, contentType: 'text/html' }),
  );
  await page.goto('/tests/harness/inpage-api.html');
  await page.waitForSelector('body[data-ready="1"], body[data-error]', { state: 'attached' });
  const r = await page.evaluate(
    async (files) => {
      const api = (window as unknown as { liteCoder: typeof import('../../src/api/index') }).liteCoder;
      const model = await api.importModel(files.map((f) => new File([new Uint8Array(f.bytes)], f.name)));
      return { model, listed: await api.listStoredModels() };
    },
    [SET[1]!, SET[2]!, SET[0]!].map((f) => ({ name: f.name, bytes: [...f.bytes] })),
  );
  expect(r.model).toMatchObject({ state: 'ready', fileSize: SET_BYTES });
  expect(r.listed.map((m) => m.id)).toEqual([r.model.id]);
});

/** Import `files` into the harness page's worker as local files, load the model, run both turns. */
async function runTwoTurnsFromFiles(
  page: Page,
  files: readonly SplitFile[],
  turn1: number[],
  turn2: number[],
): Promise<{ r1: TokenResult; r2: TokenResult }> {
  return page.evaluate(
    async ({ files, turn1, turn2 }) => {
      const { engine, Comlink } = window.liteCoderHarness;
      const e = engine();
      const chosen = files.map((f) => new File([new Uint8Array(f.bytes)], f.name));
      const m = await e.importModel(
        { kind: 'files', files: chosen },
        Comlink.proxy(() => {}),
      );
      await e.loadModel(
        m.id,
        {},
        Comlink.proxy(() => {}),
      );
      const r1 = await e.generateTokens({ promptIds: turn1, maxTokens: 32, stopIds: [], wantPromptLogits: true });
      const promptIds = [...turn1, ...r1.ids, ...turn2];
      const r2 = await e.generateTokens({ promptIds, maxTokens: 32, stopIds: [], wantPromptLogits: true });
      return { r1, r2 };
    },
    { files: files.map((f) => ({ name: f.name, bytes: [...f.bytes] })), turn1, turn2 },
  );
}

/** The same greedy tokens and the same logits, bit for bit. */
function expectSameRun(run: { r1: TokenResult; r2: TokenResult }, whole: { r1: TokenResult; r2: TokenResult }): void {
  expect(run.r1.ids).toEqual(whole.r1.ids);
  expect(run.r2.ids).toEqual(whole.r2.ids);
  expect(Array.from(run.r1.promptLogits!)).toEqual(Array.from(whole.r1.promptLogits!));
  expect(Array.from(run.r2.promptLogits!)).toEqual(Array.from(whole.r2.promptLogits!));
}

// Both ways store the same records (the import tests above check them against the unsplit file's),
// so npm test runs the model once; LC_SLOW_TESTS=1 runs it after each.
for (const by of process.env.LC_SLOW_TESTS === '1' ? (['URL', 'files'] as const) : (['URL'] as const)) {
  test(`imported by ${by}, it runs as the unsplit file does: the same greedy tokens and logits`, async ({
    page,
    fixtureServer,
  }) => {
    test.setTimeout(180_000);
    const ref = reference('q4_0');
    const [t1, t2] = ref.turns as [(typeof ref.turns)[0], (typeof ref.turns)[0]];
    const host = by === 'URL' ? await serveFiles(SET) : undefined;
    try {
      await openHarness(page);
      const whole = await runTwoTurns(
        page,
        `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`,
        t1.input_tokens,
        t2.input_tokens,
        {},
      );
      expect(whole.r1.ids).toEqual(t1.generated_tokens);
      expect(whole.r2.ids).toEqual(t2.generated_tokens);
      const split = host
        ? await runTwoTurns(page, `${host.server.url}/${SET[2]!.name}`, t1.input_tokens, t2.input_tokens, {})
        : await runTwoTurnsFromFiles(page, [SET[1]!, SET[0]!, SET[2]!], t1.input_tokens, t2.input_tokens);
      expectSameRun(split, whole);
    } finally {
      await host?.done();
    }
  });
}

test('an import resumes across files after a reload, fetching again none of what is stored', async ({ page }) => {
  const K = fixtureFile('ds2-pub256-q4_k_m.gguf');
  const KSET = splitGguf(K, 'ds2-pub256-q4_k_m', 2); // files larger than the first read of each, so records need their own requests
  const starts = KSET.map((_, i) => KSET.slice(0, i).reduce((n, f) => n + f.bytes.byteLength, 0));
  const host = await serveFiles(KSET);
  try {
    host.server.state.bytesPerSecond = 20_000; // per response: four records are fetched at a time
    await openModels(page);
    await importUrl(page, `${host.server.url}/${KSET[0]!.name}`);
    const percent = async () =>
      Number(
        /(\d+)%/.exec(
          (await page
            .getByTestId('import-progress')
            .textContent()
            .catch(() => null)) ?? '',
        )?.[1] ?? 0,
      );
    await expect.poll(percent, { timeout: 30_000, intervals: [100] }).toBeGreaterThanOrEqual(30);
    await reopenModels(page); // the worker dies mid-import
    await expect(page.getByTestId('model-state')).toContainText('incomplete');
    const partial = await dumpStore(page);
    const have = new Set(partial.records.map(([k]) => k));
    const kept = partial.manifests[0]!.records.filter((r) => have.has(r.key.join('/')));
    expect(kept.length).toBeGreaterThan(0);

    host.server.state.bytesPerSecond = 0;
    const since = host.server.state.requests.length;
    await page.getByTestId('model-resume').click();
    await expectStored(page);
    expectRecordsOfUnsplit(await dumpStore(page), K);
    // Map each data request back to the files laid end to end: at most the one record checked on
    // resuming overlaps what was stored.
    const refetched = new Set<string>();
    const files = new Set<number>();
    for (const r of host.server.state.requests.slice(since)) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(r.range ?? '');
      const i = KSET.findIndex((f) => r.path === `/${f.name}`);
      if (!m || m[1] === '0' || i < 0) continue; // the headers' reads
      files.add(i);
      const [a, b] = [starts[i]! + Number(m[1]), starts[i]! + Number(m[2]) + 1];
      for (const k of kept) {
        if (k.slices.some((s) => a < s.fileOffset + s.fileBytes && s.fileOffset < b)) refetched.add(k.key.join('/'));
      }
    }
    expect(refetched.size).toBeLessThanOrEqual(1);
    expect(files).toEqual(new Set([0, 1])); // the rest came from both files
  } finally {
    await host.done();
  }
});

const REFUSED: { name: string; by: 'url' | 'files'; files: readonly SplitFile[]; says: RegExp }[] = [
  {
    name: 'a missing file (URL)',
    by: 'url',
    files: [SET[0]!, SET[2]!],
    says: /File 2 of 3 \([^)]*\/ds2-pub-q4_0-00002-of-00003\.gguf\) of this split model is missing: .*\(HTTP 404\)/,
  },
  {
    name: 'a file of another set under the right name (URL)',
    by: 'url',
    files: [SET[0]!, FOREIGN[1]!, SET[2]!],
    says: /has shape .* It is in file 2 of 3 \([^)]*\/ds2-pub-q4_0-00002-of-00003\.gguf\): is that file from another split set\?/,
  },
  {
    name: 'a wrong split.no (URL)',
    by: 'url',
    files: MISNUMBERED,
    says: /File 3 of 3 \([^)]*\/ds2-pub-q4_0-00003-of-00003\.gguf\) says it is file 2 of the set \(split\.no = 1\), not file 3/,
  },
  {
    name: 'a missing file (files)',
    by: 'files',
    files: [SET[0]!, SET[2]!],
    says: /ds2-pub-q4_0-00002-of-00003\.gguf was not among the chosen files: choose all 3 files together/,
  },
  {
    name: 'a file of another set (files)',
    by: 'files',
    files: [SET[0]!, OTHER_SET[1]!, SET[2]!],
    says: /"ds2-pub256-q4_k_m-00002-of-00003\.gguf" is not a file of the same split model as "ds2-pub-q4_0-00001-of-00003\.gguf"/,
  },
  {
    name: 'a file of another set under the right name (files)',
    by: 'files',
    files: [FOREIGN[1]!, SET[0]!, SET[2]!],
    says: /has shape .* It is in file 2 of 3 \(ds2-pub-q4_0-00002-of-00003\.gguf\): is that file from another split set\?/,
  },
  {
    name: 'a wrong split.no (files)',
    by: 'files',
    files: MISNUMBERED,
    says: /File 3 of 3 \(ds2-pub-q4_0-00003-of-00003\.gguf\) says it is file 2 of the set \(split\.no = 1\), not file 3/,
  },
  {
    name: 'one file of a set alone',
    by: 'files',
    files: [SET[1]!],
    says: /"ds2-pub-q4_0-00002-of-00003\.gguf" is file 2 of 3 of a split model: choose all 3 of its files together \(ds2-pub-q4_0-00001/,
  },
];

test.describe('a bad split set is refused by name and leaves the store as it was', () => {
  for (const c of REFUSED) {
    test(c.name, async ({ page }) => {
      const host = c.by === 'url' ? await serveFiles(c.files) : undefined;
      try {
        await openModels(page);
        await importFile(page, 'good.gguf', fixtureFile('ds2-pub-f32.gguf'));
        await expectStored(page);
        const before = await dumpStore(page);
        if (host) await importUrl(page, `${host.server.url}/${c.files[0]!.name}`);
        else await page.getByTestId('import-file').setInputFiles(asInputFiles(c.files));
        await expect(page.getByTestId('import-error')).toContainText(c.says, { timeout: 10_000 });
        expect(await dumpStore(page)).toEqual(before);
      } finally {
        await host?.done();
      }
    });
  }
});
