/**
 * A host site for the widget's tests: pages served on a port of their own (another site than the
 * app's 127.0.0.1:<app port>), each embedding the widget with one <script> tag of embed.js.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from '@playwright/test';
import { APP_PORT } from '../playwright.config';
import { startStaticServer } from '../../../scripts/static-server.mjs';
import type { WidgetMessage } from '../../../src/embed/protocol';

export const APP = `http://127.0.0.1:${APP_PORT}`;

export interface HostSite {
  hostUrl: (file: string) => string;
  thirdUrl: (file: string) => string;
  close(): Promise<void>;
}

/** A host site: the given pages, served on a port of their own; reached as localhost (host) or 127.0.0.1 (third origin). */
export async function hostSite(pages: Record<string, string>): Promise<HostSite> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-host-'));
  for (const [name, html] of Object.entries(pages)) writeFileSync(join(dir, name), html);
  const server = (await startStaticServer({ root: dir })) as { url: string; close(): Promise<void> };
  const port = new URL(server.url).port;
  return {
    hostUrl: (f) => `http://localhost:${port}/${f}`,
    thirdUrl: (f) => `http://127.0.0.1:${port}/${f}`,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const attrs = (a: Record<string, string>) =>
  Object.entries(a)
    .map(([k, v]) => `data-${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join(' ');

/** A host page with one widget per attribute set; every widget message lands in window.events[i]. */
export function hostPage(widgets: Record<string, string>[], extra = ''): string {
  const tags = widgets.map((a) => `<script src="${APP}/embed.js" ${attrs(a)}></script>`).join('\n');
  return `<!doctype html><html><head><title>Host</title></head><body><h1>A site that embeds Lite Coder</h1>
${tags}
<script>window.events = LiteCoderEmbed.widgets.map((w, i) => { const list = []; w.on('*', (m) => list.push(m)); return list; });</script>
${extra}</body></html>`;
}

export const events = (page: Page, i = 0) =>
  page.evaluate((i) => (window as unknown as { events: WidgetMessage[][] }).events[i]!, i);
export const widget = (page: Page, i = 0) => page.frameLocator('iframe.lite-coder-embed').nth(i);
export function widgetFrame(page: Page, i = 0): Frame {
  return page.frames().filter((f) => f.url().startsWith(`${APP}/embed.html`))[i]!;
}
