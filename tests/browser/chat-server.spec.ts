/**
 * The app on a server (issue 13), through the UI as a user does it: a device that cannot run the model
 * (this machine's software adapter) is offered a server; the user points the app at a real
 * OpenAI-compatible server (llama.cpp through node-llama-cpp, tests/support/openai-server.ts), picks
 * its model, and chats; the header says where answers come from; the API key stays in this origin's
 * storage and out of exports; a failure says what happened; the choice survives a reload.
 */
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { send, waitForReply } from './support/chat';
import { events, hostPage, hostSite, widget, widgetFrame } from './support/host-site';

let server: OpenAiServer;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startOpenAiServer(`${FIXTURE_DIR}models/ds2-pub-f32.gguf`, 'ds2-pub-f32');
});
test.afterAll(async () => {
  await server?.close();
});
test.beforeEach(() => {
  server.faults = {};
  server.requests.length = 0;
});

test('a device that cannot run the model chats through a server, with the key kept here and out of exports', async ({
  page,
}) => {
  server.faults = { apiKey: 'sk-test-123' };
  await page.goto('/');
  // The first visit's device check: SwiftShader cannot run the model, so a server is offered.
  await expect(page.getByTestId('verdict')).toHaveAttribute('data-verdict', 'cannot-run', { timeout: 60_000 });
  await page.getByTestId('use-server').click();
  await expect(page.getByTestId('engine-settings')).toBeVisible();
  await expect(page.getByTestId('engine-server')).toBeChecked();

  await page.getByTestId('server-endpoint').fill(server.url);
  await page.getByTestId('server-key').fill('sk-wrong');
  await page.getByTestId('server-list').click();
  await expect(page.getByTestId('server-error')).toContainText('check the API key');
  await page.getByTestId('server-key').fill('sk-test-123');
  await page.getByTestId('server-list').click();
  await expect(page.getByTestId('server-model')).toHaveValue('ds2-pub-f32');
  await page.getByTestId('server-connect').click();
  await expect(page.getByTestId('engine-indicator')).toHaveAttribute('data-engine', 'server');
  await expect(page.getByTestId('engine-indicator')).toContainText(new URL(server.url).host);
  await page.getByTestId('settings-toggle').click();

  await send(page, 'hello there');
  await waitForReply(page);
  const reply = await page.getByTestId('msg-assistant').last().innerText();
  expect(reply.length).toBeGreaterThan(0);
  const posts = server.requests.filter((r) => r.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(posts[0]!.authorization).toBe('Bearer sk-test-123');
  expect((posts[0]!.body as { stream: boolean; messages: { content: string }[] }).messages.at(-1)!.content).toBe(
    'hello there',
  );

  // The saved key belongs to this server: typed over with another address, the field lets it go.
  await page.getByTestId('settings-toggle').click();
  await expect(page.getByTestId('server-key')).toHaveValue('sk-test-123');
  await page.getByTestId('server-endpoint').fill('http://127.0.0.1:9/v1');
  await expect(page.getByTestId('server-key')).toHaveValue('');
  await page.getByTestId('server-endpoint').fill(server.url);
  await page.getByTestId('settings-toggle').click();

  // The key is in this origin's storage, and nowhere in what the app exports.
  expect(await page.evaluate(() => localStorage.getItem('lite-coder.server-key'))).toBe('sk-test-123');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').first().click();
  const exported = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(exported, 'utf8');
  expect(text).toContain('hello there');
  expect(text).not.toContain('sk-test-123');

  // A reload answers from the same server, without asking again.
  await page.reload();
  await expect(page.getByTestId('engine-indicator')).toHaveAttribute('data-engine', 'server', { timeout: 30_000 });
  await expect(page.getByTestId('composer')).toBeEnabled();
  // The service worker keeps only the app's own precached files: no runtime cache exists for API
  // traffic (or anything else) to land in, and nothing from the server is in Cache Storage.
  const cached = await page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    return out;
  });
  expect(Object.keys(cached).length).toBeGreaterThan(0);
  expect(Object.keys(cached).filter((n) => !n.startsWith('workbox-precache'))).toEqual([]);
  const origin = new URL(page.url()).origin;
  expect(
    Object.values(cached)
      .flat()
      .filter((u) => !u.startsWith(`${origin}/`) || u.includes('/v1/')),
  ).toEqual([]);
});

test('the widget on another site answers from the server its host names; the key comes by message only', async ({
  page,
}) => {
  server.faults = { apiKey: 'sk-widget' };
  const site = await hostSite({
    'host.html': hostPage([{ endpoint: server.url, model: 'ds2-pub-f32', 'max-tokens': '6', temperature: '0' }]),
  });
  try {
    await page.goto(site.hostUrl('host.html'));
    const w = widget(page);
    // No key yet: the server refuses, and the widget says so (to its user and to the host).
    await expect
      .poll(async () => (await events(page)).find((m) => m.type === 'status' && m.state === 'error'), {
        timeout: 30_000,
      })
      .toMatchObject({ message: expect.stringContaining('check the API key') });
    await page.evaluate(() => LiteCoderEmbed.widgets[0]!.setSettings({ apiKey: 'sk-widget' }));
    await expect(w.getByTestId('engine-indicator')).toHaveAttribute('data-engine', 'server', { timeout: 30_000 });
    await expect(w.getByTestId('engine-indicator')).toContainText(new URL(server.url).host);

    await page.evaluate(() => LiteCoderEmbed.widgets[0]!.prompt('hello', 'q1'));
    await expect
      .poll(async () => (await events(page)).some((m) => m.type === 'done' && m.id === 'q1'), { timeout: 60_000 })
      .toBe(true);
    const done = (await events(page)).find((m) => m.type === 'done' && m.id === 'q1');
    expect(done).toMatchObject({ finish_reason: expect.stringMatching(/^(stop|length)$/) });
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts.at(-1)!.authorization).toBe('Bearer sk-widget');
    expect((posts.at(-1)!.body as { max_tokens: number }).max_tokens).toBe(6);
    // The widget keeps its engine to itself: nothing saved where the app would read it.
    const saved = await widgetFrame(page).evaluate(() => [
      localStorage.getItem('lite-coder.engine'),
      localStorage.getItem('lite-coder.server-key'),
    ]);
    expect(saved).toEqual([null, null]);

    // An empty endpoint: back to this device (which, in this fresh cross-site frame, has no model),
    // even when it comes while a connect to a slow server is still pending: the later choice wins.
    server.faults = { apiKey: 'sk-widget', delayMs: 3000 };
    await page.evaluate((url) => LiteCoderEmbed.widgets[0]!.setSettings({ endpoint: `${url}/` }), server.url);
    await expect.poll(async () => (await events(page)).at(-1)).toMatchObject({ type: 'status', state: 'loading' });
    await page.evaluate(() => LiteCoderEmbed.widgets[0]!.setSettings({ endpoint: '' }));
    await expect(w.getByTestId('no-model')).toBeVisible({ timeout: 30_000 });
    await page.waitForTimeout(4000); // the slow server's answer arrives, and changes nothing
    await expect(w.getByTestId('no-model')).toBeVisible();
    expect((await events(page)).at(-1)).toMatchObject({ type: 'status', state: 'no-model' });
  } finally {
    await site.close();
  }
});

test('a server that fails mid-answer: the reply keeps what arrived and says what happened', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await page.getByTestId('go-server').click();
  await page.getByTestId('server-endpoint').fill(server.url);
  await page.getByTestId('server-connect').click();
  await expect(page.getByTestId('engine-indicator')).toHaveAttribute('data-engine', 'server');
  await page.getByTestId('settings-toggle').click();
  server.faults = { breakAfterChunks: 3 };
  await send(page, 'tell me a long story');
  const answer = page.getByTestId('msg-assistant').last();
  await expect(answer.locator('.error')).toContainText('broke off', { timeout: 30_000 });
  expect((await answer.innerText()).length).toBeGreaterThan(0);
  server.faults = { fail500: true };
  await send(page, 'again');
  await expect(page.getByTestId('msg-assistant').last().locator('.error')).toContainText('failed (500)');
});

test('a server that cannot be reached, or will not let the page read it, is named in the settings', async ({
  page,
}) => {
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await page.getByTestId('go-server').click();
  await page.getByTestId('server-endpoint').fill('http://127.0.0.1:9/v1');
  await page.getByTestId('server-connect').click();
  await expect(page.getByTestId('server-error')).toContainText('cannot be reached');
  server.faults = { noCors: true };
  await page.getByTestId('server-endpoint').fill(server.url);
  await page.getByTestId('server-list').click();
  await expect(page.getByTestId('server-error')).toContainText('does not allow this page');
});
