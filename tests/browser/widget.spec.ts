/**
 * The embeddable widget, as a host page on another site uses it: one <script> tag (embed.js), the
 * postMessage protocol (docs/EMBED.md), the settings, and the storage a cross-site frame gets.
 * The app is served from 127.0.0.1:<app port>; host pages from localhost:<port> (another site), and
 * a third origin from 127.0.0.1:<that port>.
 */
import { chromium, type Frame } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../scripts/chromium';
import { expect, test } from './support/fixtures';
import { APP, events, hostPage, hostSite, widget, widgetFrame } from './support/host-site';
import type { WidgetMessage } from '../../src/embed/protocol';

const GREETING =
  'Hello! Here is a demo page:\n\n```html\n<!doctype html><title>Demo</title><p id="demo">it runs</p>\n```\n';

test('a host on another site embeds the widget with one tag; a prompt by postMessage streams back; a third origin is ignored', async ({
  page,
  fixtureServer,
}) => {
  const site = await hostSite({
    'host.html': hostPage(
      [{ 'max-tokens': '8', temperature: '0', 'system-prompt': 'You are terse.' }],
      '<iframe id="third"></iframe>',
    ),
    'third.html': '<!doctype html><p>a third origin</p>',
  });
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  try {
    await page.goto(site.hostUrl('host.html'));
    const w = widget(page);
    // A cross-site frame has storage of its own: no model there, and the widget says why and what to do.
    await expect(w.getByTestId('no-model')).toContainText('keeps its storage apart');
    await expect(w.getByTestId('use-stored')).toBeVisible();
    await expect(w.getByTestId('open-app')).toHaveAttribute('href', `${APP}/`);
    await expect
      .poll(async () => (await events(page)).map((m) => (m.type === 'status' ? m.state : m.type)))
      .toEqual(expect.arrayContaining(['ready', 'no-model']));

    // Before a model is there, a prompt gets a clear error, not silence.
    await page.evaluate(() => LiteCoderEmbed.widgets[0]!.prompt('too early', 'early'));
    await expect
      .poll(async () => (await events(page)).find((m) => m.type === 'error'))
      .toMatchObject({ type: 'error', id: 'early', code: 'not-ready' });

    // The import flow inside the widget, then the model loads.
    await w.getByTestId('import-here').click();
    await w.getByTestId('import-url').fill(`${fixtureServer.url}/models/ds2-pub-q4_0.gguf`);
    await w.getByTestId('import-url-button').click();
    await expect(w.getByTestId('no-model')).toHaveCount(0, { timeout: 60_000 });
    await expect
      .poll(async () => (await events(page)).some((m) => m.type === 'status' && m.state === 'ready'), {
        timeout: 60_000,
      })
      .toBe(true);

    // A third origin's frame on the host page posts a prompt to the widget: ignored.
    await page.evaluate((src) => {
      (document.getElementById('third') as HTMLIFrameElement).src = src;
    }, site.thirdUrl('third.html'));
    await expect.poll(() => page.frames().find((f) => f.url() === site.thirdUrl('third.html'))).toBeTruthy();
    const third = page.frames().find((f) => f.url() === site.thirdUrl('third.html'))!;
    await third.evaluate(() => {
      for (let i = 0; i < parent.frames.length; i++) {
        if (parent.frames[i] !== window)
          parent.frames[i]!.postMessage(
            { protocol: 'lite-coder-embed', version: 1, type: 'prompt', id: 'evil', text: 'from a third origin' },
            '*',
          );
      }
    });
    await expect
      .poll(() => warnings.some((t) => t.includes(`ignored a message from ${site.thirdUrl('').replace(/\/$/, '')}`)))
      .toBe(true);

    // The host's own prompt streams back: start, tokens, done; the text is the tokens joined.
    await page.evaluate(() => LiteCoderEmbed.widgets[0]!.prompt('hello', 'q1'));
    await expect
      .poll(async () => (await events(page)).some((m) => m.type === 'done' && m.id === 'q1'), { timeout: 60_000 })
      .toBe(true);
    const got = await events(page);
    expect(got.find((m) => m.type === 'start')).toEqual({
      protocol: 'lite-coder-embed',
      version: 1,
      type: 'start',
      id: 'q1',
      source: 'host',
    });
    const tokens = got.filter((m): m is Extract<WidgetMessage, { type: 'token' }> => m.type === 'token');
    const done = got.find((m): m is Extract<WidgetMessage, { type: 'done' }> => m.type === 'done')!;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((m) => m.id === 'q1')).toBe(true);
    expect(tokens.map((m) => m.delta).join('')).toBe(done.text);
    expect(done.usage.completion_tokens).toBeGreaterThan(0);
    expect(done.usage.completion_tokens).toBeLessThanOrEqual(8);
    expect(['stop', 'length']).toContain(done.finish_reason);
    // The widget shows the exchange; the third origin's message never reached the conversation.
    await expect(w.getByTestId('msg-user')).toHaveCount(1);
    await expect(w.getByTestId('msg-user').locator('.user-text')).toHaveText('hello');
    expect(got.some((m) => 'id' in m && m.id === 'evil')).toBe(false);

    // Greedy and the same system prompt: asking again after new-chat gives the same answer.
    await page.evaluate(() => {
      const w = LiteCoderEmbed.widgets[0]!;
      w.newChat();
      w.prompt('hello', 'q2');
    });
    await expect
      .poll(async () => (await events(page)).find((m) => m.type === 'done' && m.id === 'q2'), { timeout: 60_000 })
      .toMatchObject({ text: done.text });
    await expect(w.getByTestId('msg-user')).toHaveCount(1);

    // Esc in the widget stops an answer, as in the app.
    await page.evaluate(() => {
      const w = LiteCoderEmbed.widgets[0]!;
      w.setSettings({ max_tokens: 400 });
      w.prompt('count slowly', 'q3');
    });
    await expect
      .poll(async () => (await events(page)).some((m) => m.type === 'token' && m.id === 'q3'), { timeout: 60_000 })
      .toBe(true);
    await w.getByTestId('composer').press('Escape');
    await expect
      .poll(async () => (await events(page)).find((m) => m.type === 'done' && m.id === 'q3'), { timeout: 60_000 })
      .toMatchObject({ finish_reason: 'abort' });
  } finally {
    await site.close();
  }
});

test('settings from the tag and by postMessage: artifacts allowed or not, theme, language, greeting, auto height', async ({
  page,
}) => {
  const site = await hostSite({
    'host.html': hostPage([
      { greeting: GREETING, artifacts: 'on', theme: 'dark', lang: 'zh' },
      { greeting: GREETING, artifacts: 'off', theme: 'light', height: 'auto', 'max-height': '900' },
    ]),
  });
  try {
    await page.goto(site.hostUrl('host.html'));
    const on = widget(page, 0);
    const off = widget(page, 1);
    await expect(on.getByTestId('greeting')).toContainText('Hello! Here is a demo page');
    await expect(off.getByTestId('greeting')).toContainText('Hello! Here is a demo page');

    // Artifacts on: the greeting's page runs, sandboxed, in the widget.
    await on.getByTestId('artifact-run').click();
    await expect(on.getByTestId('artifact-side')).toBeVisible();
    await expect(on.getByTestId('artifact-side').frameLocator('iframe').locator('#demo')).toHaveText('it runs');
    // Artifacts off: the code is shown, with no Run button.
    await expect(off.getByTestId('greeting').locator('pre')).toContainText('<p id="demo">it runs</p>');
    await expect(off.getByTestId('artifact-run')).toHaveCount(0);

    // Theme and language.
    const look = (f: Frame) =>
      f.evaluate(() => ({
        theme: document.documentElement.dataset.theme,
        bg: getComputedStyle(document.documentElement).backgroundColor,
        lang: document.documentElement.lang,
      }));
    expect(await look(widgetFrame(page, 0))).toEqual({ theme: 'dark', bg: 'rgb(15, 18, 22)', lang: 'zh-CN' });
    expect(await look(widgetFrame(page, 1))).toEqual({ theme: 'light', bg: 'rgb(255, 255, 255)', lang: 'en' });
    await expect(on.getByTestId('new-chat')).toHaveText('新对话');

    // Auto height: the loader sizes the frame to what the widget asks for, within its bounds.
    await expect
      .poll(async () => {
        const asked = (await events(page, 1)).filter((m) => m.type === 'resize').at(-1);
        const h = await page.evaluate(() => LiteCoderEmbed.widgets[1]!.iframe.style.height);
        return asked?.type === 'resize' && h === `${Math.max(320, Math.min(900, asked.height + 2))}px`;
      })
      .toBe(true);
    expect(await page.evaluate(() => LiteCoderEmbed.widgets[0]!.iframe.style.height)).toBe('600px');

    // Settings by postMessage apply at once; a bad one is refused with its reason.
    await page.evaluate(() => LiteCoderEmbed.widgets[1]!.setSettings({ artifacts: true, lang: 'zh' }));
    await expect(off.getByTestId('artifact-run')).toHaveCount(1);
    await expect(off.getByTestId('new-chat')).toHaveText('新对话');
    await page.evaluate(() => LiteCoderEmbed.widgets[1]!.send({ type: 'set-settings', settings: { temperature: 7 } }));
    await expect
      .poll(async () => (await events(page, 1)).find((m) => m.type === 'error'))
      .toMatchObject({
        code: 'invalid-settings',
        message: expect.stringContaining('temperature must be a number from 0 to 2'),
      });
    // An unknown protocol version is refused rather than guessed at.
    await page.evaluate(() =>
      LiteCoderEmbed.widgets[1]!.iframe.contentWindow!.postMessage(
        { protocol: 'lite-coder-embed', version: 2, type: 'stop' },
        new URL(LiteCoderEmbed.widgets[1]!.iframe.src).origin,
      ),
    );
    await expect
      .poll(async () => (await events(page, 1)).some((m) => m.type === 'error' && m.code === 'unsupported-version'))
      .toBe(true);
  } finally {
    await site.close();
  }
});

test('the engine worker can run on a model store the page serves it (the path a Storage Access grant takes)', async ({
  page,
  fixtureServer,
}) => {
  await page.goto('/tests/harness/harness.html');
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  const url = `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`;
  const r = await page.evaluate(async (url) => {
    const { engine, Comlink, attachStore, idbBackend } = window.liteCoderHarness;
    const e = engine();
    const m = await e.importModel(
      { kind: 'url', url },
      Comlink.proxy(() => {}),
    );
    await e.loadModel(
      m.id,
      {},
      Comlink.proxy(() => {}),
    );
    const direct = await e.generateTokens({ promptIds: [100, 200, 300], maxTokens: 6, stopIds: [] });
    await e.unloadModel();
    // The page's own IndexedDB, served to the worker over a port; every read is counted here.
    const reads: Record<string, number> = {};
    const inner = idbBackend(indexedDB);
    const counted = Object.fromEntries(
      Object.entries(inner).map(([k, f]) => [
        k,
        (...a: unknown[]) => {
          reads[k] = (reads[k] ?? 0) + 1;
          return (f as (...x: unknown[]) => unknown)(...a);
        },
      ]),
    ) as unknown as typeof inner;
    await attachStore(counted);
    const listed = await e.listModels();
    await e.loadModel(
      m.id,
      {},
      Comlink.proxy(() => {}),
    );
    const served = await e.generateTokens({ promptIds: [100, 200, 300], maxTokens: 6, stopIds: [] });
    return { direct: direct.ids, served: served.ids, listed: listed.map((x) => x.id), id: m.id, reads };
  }, url);
  expect(r.listed).toEqual([r.id]);
  expect(r.served).toEqual(r.direct);
  expect(r.reads.allManifests).toBeGreaterThan(0);
  expect(r.reads.getRecord).toBeGreaterThan(0);
});

test('"Use my stored model" asks the browser for storage access on a click, and says clearly when it is refused', async ({
  page,
}) => {
  const site = await hostSite({ 'host.html': hostPage([{}]) });
  try {
    await page.goto(site.hostUrl('host.html'));
    const w = widget(page);
    await expect(w.getByTestId('use-stored')).toBeVisible();
    // Headless Chromium cannot show the permission prompt, so the request is refused: the widget says
    // so, with the browser's reason, and the other two ways on stay offered.
    await w.getByTestId('use-stored').click();
    await expect(w.getByTestId('access-result')).toContainText(
      "The browser did not allow access to Lite Coder's storage (",
    );
    await expect(w.getByTestId('access-result')).toContainText('requestStorageAccess');
    await expect(w.getByTestId('import-here')).toBeEnabled();
    await expect(w.getByTestId('open-app')).toBeVisible();
    expect(await widgetFrame(page).evaluate(() => document.hasStorageAccess())).toBe(false);
  } finally {
    await site.close();
  }
});

test('a browser that refuses a frame on another site any storage: the widget explains, and offers no import that would fail', async () => {
  // Without storage partitioning, Chromium blocks third-party storage outright (as browsers that do not partition do).
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS.filter((a) => !a.startsWith('--disable-features=')),
      '--disable-features=StaticStorageQuota,ThirdPartyStoragePartitioning',
    ],
  });
  const site = await hostSite({ 'host.html': hostPage([{ lang: 'en' }]) });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.hostUrl('host.html'));
    const w = widget(page);
    await expect(w.getByTestId('no-model')).toContainText('does not let widgets on other sites store anything');
    await expect(w.getByTestId('use-stored')).toBeVisible();
    await expect(w.getByTestId('open-app')).toBeVisible();
    await expect(w.getByTestId('import-here')).toHaveCount(0);
    // Refused access: the message offers only what the panel shows (no "Import a model here").
    await w.getByTestId('use-stored').click();
    await expect(w.getByTestId('access-result')).toContainText('keeps none here. Use the full app.');
    await expect(w.getByTestId('access-result')).not.toContainText('Import a model here');
    await expect
      .poll(async () => (await events(page)).find((m) => m.type === 'status' && m.state === 'error'))
      .toMatchObject({ message: expect.stringContaining('denied') });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    await site.close();
  }
});

declare global {
  // embed.js's global, as host pages see it
  const LiteCoderEmbed: { widgets: import('../../src/embed/loader').WidgetHandle[] };
}
