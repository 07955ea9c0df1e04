/**
 * Model hosts as they are: many answer Range requests with CORS allowed but without
 * Access-Control-Expose-Headers, so the page cannot read Content-Range or ETag. The import must still
 * find the file's size, resume safely without an ETag, and say which header is missing when it
 * truly cannot work.
 */
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { expect, serveFolder, test, type FixtureServer } from './support/fixtures';
import {
  dumpStore,
  expectRecordsMatchFile,
  expectStored,
  fixtureFile,
  importUrl,
  openModels,
  reopenModels,
} from './support/store';

const NAME = 'ds2-pub256-q4_k_m.gguf'; // 718 KB: more than the first range request reads
const FILE = fixtureFile(NAME);
/** The file's modification time, which the server's ETag is made of: the original file keeps it. */
const MTIME = 1_700_000_000;

function putFile(dir: string, bytes: Uint8Array, mtime = MTIME): void {
  writeFileSync(join(dir, NAME), bytes);
  utimesSync(join(dir, NAME), mtime, mtime);
}

/** A folder with the fixture in it, served cross-origin, by default without exposing any header. */
interface Host {
  server: FixtureServer;
  dir: string;
  done: () => Promise<void>;
}

async function hiddenHeadersHost(opts: { contentLength?: boolean; exposeHeaders?: boolean } = {}): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-host-'));
  putFile(dir, FILE);
  const server = await serveFolder(dir, { exposeHeaders: false, ...opts });
  return {
    server,
    dir,
    done: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the page can read of a range answer from the server: the set-up must reproduce the problem. */
async function visibleHeaders(
  page: Page,
  url: string,
): Promise<{ status: number; contentRange: string | null; etag: string | null }> {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { headers: { Range: 'bytes=0-99' }, cache: 'no-store' });
    await r.arrayBuffer();
    return { status: r.status, contentRange: r.headers.get('Content-Range'), etag: r.headers.get('ETag') };
  }, url);
}

async function waitForProgress(page: Page, fraction: number): Promise<void> {
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

test('a host that hides Content-Range and ETag from scripts still imports by URL', async ({ page }) => {
  const host = await hiddenHeadersHost();
  try {
    await openModels(page);
    const url = `${host.server.url}/${NAME}`;
    expect(await visibleHeaders(page, url)).toEqual({ status: 206, contentRange: null, etag: null });
    await importUrl(page, url);
    await expectStored(page);
    const dump = await dumpStore(page);
    expectRecordsMatchFile(dump, FILE);
    expect(dump.manifests[0]!.fileSize).toBe(FILE.byteLength);
    // Still streamed with range requests; the size came from one open range (its body dropped).
    const reqs = host.server.state.requests.filter((r) => r.path.endsWith(NAME) && r.method === 'GET');
    expect(reqs.every((r) => r.status === 206)).toBe(true);
    expect(reqs.filter((r) => r.range === 'bytes=0-')).toHaveLength(1);
  } finally {
    await host.done();
  }
});

const RESUME_CASES = [
  {
    host: 'hides ETag',
    exposeHeaders: false,
    says: (url: string) => `The file at ${url} is not the file this model's import began with`,
  },
  {
    host: 'shows ETag',
    exposeHeaders: true,
    says: (url: string) => `The file at ${url} has changed since this model's import began (its ETag differs)`,
  },
];
for (const c of RESUME_CASES)
  test(`resuming checks the file is the same (host ${c.host}): a changed file is refused, the same resumes`, async ({
    page,
  }) => {
    const host = await hiddenHeadersHost({ exposeHeaders: c.exposeHeaders });
    try {
      host.server.state.bytesPerSecond = 60_000;
      await openModels(page);
      const url = `${host.server.url}/${NAME}`;
      await importUrl(page, url);
      await waitForProgress(page, 0.4);
      await reopenModels(page); // the worker dies mid-import
      await expect(page.getByTestId('model-state')).toContainText('incomplete');
      const partial = await dumpStore(page);
      expect(partial.records.length).toBeGreaterThan(0);

      // The same header and size (so the same model id), other weights: a re-uploaded file.
      const { dataOffset } = parseGgufHeader(FILE, FILE.byteLength);
      const changed = FILE.slice();
      for (let i = dataOffset; i < changed.length; i++) changed[i]! ^= 0x5a;
      putFile(host.dir, changed, MTIME + 60);
      host.server.state.bytesPerSecond = 0;
      await page.getByTestId('model-resume').click();
      await expect(page.getByTestId('import-error')).toContainText(c.says(url));
      await expect(page.getByTestId('import-error')).toContainText('Delete the incomplete model, then import again.');
      expect(await dumpStore(page)).toEqual(partial);

      putFile(host.dir, FILE);
      const since = host.server.state.requests.length;
      await page.getByTestId('model-resume').click();
      await expectStored(page);
      expectRecordsMatchFile(await dumpStore(page), FILE);
      // Of what was stored, at most the one record checked came down again.
      const have = new Set(partial.records.map(([k]) => k));
      const kept = partial.manifests[0]!.records.filter((r) => have.has(r.key.join('/')));
      const refetched = new Set<string>();
      for (const r of host.server.state.requests.slice(since)) {
        const m = /^bytes=(\d+)-(\d+)$/.exec(r.range ?? '');
        if (!m || m[1] === '0') continue; // the header's read
        const [a, b] = [Number(m[1]), Number(m[2]) + 1];
        for (const k of kept) {
          if (k.slices.some((s) => a < s.fileOffset + s.fileBytes && s.fileOffset < b)) refetched.add(k.key.join('/'));
        }
      }
      expect(refetched.size).toBeLessThanOrEqual(1);
    } finally {
      await host.done();
    }
  });

test('a host that hides Content-Range and sends no Content-Length: the error names the header to expose', async ({
  page,
}) => {
  const host = await hiddenHeadersHost({ contentLength: false });
  try {
    await openModels(page);
    await importUrl(page, `${host.server.url}/${NAME}`);
    const error = page.getByTestId('import-error');
    await expect(error).toContainText('Access-Control-Expose-Headers: Content-Range');
    await expect(error).toContainText('no Content-Length');
    const dump = await dumpStore(page);
    expect(dump.manifests).toHaveLength(0);
    expect(dump.records).toHaveLength(0);
  } finally {
    await host.done();
  }
});
