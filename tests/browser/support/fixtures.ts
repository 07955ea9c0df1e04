import { test as base } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startStaticServer, type StaticServer } from '../../../scripts/static-server.mjs';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** A test's own HTTP server (scripts/static-server.mjs): its address, the behaviour it can be given, its request log. */
export type FixtureServer = StaticServer;

/** A second origin that serves tests/fixtures with Range support, as a model host would. */
export const test = base.extend<{ fixtureServer: FixtureServer }>({
  fixtureServer: async ({}, use) => {
    const server = await startStaticServer({ root: FIXTURE_DIR, cors: true });
    await use(server);
    await server.close();
  },
});

/** A cross-origin server of a test's own over `root` (a temporary folder the test writes files to). */
export function serveFolder(
  root: string,
  opts: { exposeHeaders?: boolean; contentLength?: boolean } = {},
): Promise<FixtureServer> {
  return startStaticServer({ root, cors: true, ...opts });
}

export { expect } from '@playwright/test';
