import { test as base } from '@playwright/test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain JS module shared with `npm start`.
import { startStaticServer } from '../../../scripts/static-server.mjs';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface FixtureServer {
  close(): Promise<void>;
  url: string;
  state: {
    range: boolean;
    /** with CORS: list Content-Range, ETag, ... in Access-Control-Expose-Headers (false: hide them) */
    exposeHeaders: boolean;
    /** send Content-Length (false: chunked bodies) */
    contentLength: boolean;
    bytesPerSecond: number;
    dropAfterBytes: number;
    bytesServed: number;
    requests: { method: string; path: string; range: string | null; status: number; bytes: number }[];
  };
}

/** A second origin that serves tests/fixtures with Range support, as a model host would. */
export const test = base.extend<{ fixtureServer: FixtureServer }>({
  fixtureServer: async ({}, use) => {
    const server = await startStaticServer({ root: FIXTURE_DIR, cors: true });
    await use(server);
    await server.close();
  },
});

/** A cross-origin server of a test's own over `root` (a temporary folder the test writes files to). */
export function serveFolder(root: string, opts: { exposeHeaders?: boolean; contentLength?: boolean } = {}): Promise<FixtureServer> {
  return startStaticServer({ root, cors: true, ...opts }) as Promise<FixtureServer>;
}

export { expect } from '@playwright/test';
