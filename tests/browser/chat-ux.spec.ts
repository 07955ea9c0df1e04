/**
 * The chat's everyday paths through the UI (issue 12): the user's own Markdown, replies that were
 * cut short (reload, max_tokens, context overflow), in-app dialogs, and the settings panel.
 */
import { shot } from './support/shots';
import { expect, test } from './support/fixtures';
import { chatWithFixture, send, setMaxTokens, waitForReply } from './support/chat';
import { expectStored, importUrl, openModels } from './support/store';

const MODEL = '/models/ds2-pub-q4_0.gguf';

test('a user message is Markdown: code blocks highlighted, HTML sanitised', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 2);
  await send(
    page,
    'Why does **this** fail?\n\n```python\ndef f(x):\n    return x + 1\n```\n\n<img src=x onerror="window.pwned=1">',
  );
  const user = page.getByTestId('msg-user');
  await expect(user.locator('.msg-body strong')).toHaveText('this');
  // the same code block as a reply's: highlighted, with its Copy button, in a monospace font
  await expect(user.locator('pre code .hljs-keyword').first()).toHaveText('def');
  await expect(user.locator('.code-copy')).toHaveCount(1);
  expect(await user.locator('pre code').evaluate((e) => getComputedStyle(e).fontFamily)).toMatch(/mono/i);
  await expect(user.locator('img')).toHaveCount(0);
  await expect(user).not.toContainText('```');
  expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  await waitForReply(page);
});

/** The assistant message's text, as shown. */
const replyText = async (page: import('@playwright/test').Page) =>
  (await page.getByTestId('msg-assistant').locator('.msg-body').innerText()).trim();

/** The one conversation's assistant reply as stored (raw Markdown: the rendered text of random tokens may reflow). */
const storedReply = (page: import('@playwright/test').Page) =>
  page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('lite-coder-chats');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('conversations').objectStore('conversations').getAll();
          all.onsuccess = () => {
            const convs = all.result as { nodes: Record<string, { role: string; content: string }> }[];
            resolve(Object.values(convs[0]!.nodes).find((n) => n.role === 'assistant')?.content ?? '');
          };
        };
      }),
  );

test('a reply cut at max_tokens has Continue, which extends the same message; one token shows no rate', async ({
  page,
  fixtureServer,
}) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 1);
  await send(page, 'hello');
  await waitForReply(page);
  const stats = page.getByTestId('reply-stats');
  await expect(stats).toContainText('first token');
  await expect(stats).not.toContainText('tokens/s');
  await expect(stats).toContainText('max tokens');
  await expect.poll(() => storedReply(page)).not.toBe('');
  const first = await storedReply(page);
  await setMaxTokens(page, 6);
  await page.getByTestId('msg-continue').click();
  await expect.poll(() => storedReply(page), { timeout: 60_000 }).not.toBe(first);
  await expect(page.getByTestId('stop')).toHaveCount(0, { timeout: 60_000 });
  await waitForReply(page);
  await expect(page.getByTestId('msg-assistant')).toHaveCount(1);
  await expect.poll(async () => (await storedReply(page)).length).toBeGreaterThan(first.length);
  expect((await storedReply(page)).startsWith(first)).toBe(true);
  await expect(stats).toContainText('tokens/s');
});

test('a reply interrupted by a reload keeps its text, marked interrupted, with Continue and Regenerate', async ({
  page,
  fixtureServer,
}) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await page.getByTestId('settings-toggle').click();
  await page.getByTestId('temperature').fill('0');
  await page.getByTestId('temperature').blur();
  await page.getByTestId('settings-toggle').click();
  await setMaxTokens(page, 400);
  await send(page, 'tell me everything');
  await expect.poll(async () => (await replyText(page)).length, { timeout: 60_000 }).toBeGreaterThan(10);
  await page.waitForTimeout(800); // streamed text is saved every half second
  const streamed = await replyText(page);
  await page.reload();
  await expect(page.getByTestId('chat-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('interrupted')).toContainText('interrupted');
  expect((await replyText(page)).length).toBeGreaterThan(0);
  expect(streamed.length).toBeGreaterThan(0);
  const kept = await storedReply(page);
  expect(kept.length).toBeGreaterThan(0);
  await expect(page.getByTestId('msg-regenerate')).toBeVisible();
  await setMaxTokens(page, 6);
  await page.getByTestId('msg-continue').click();
  await waitForReply(page);
  await expect(page.getByTestId('interrupted')).toHaveCount(0);
  await expect(page.getByTestId('msg-assistant')).toHaveCount(1);
  await expect.poll(async () => (await storedReply(page)).length).toBeGreaterThan(kept.length);
  expect((await storedReply(page)).startsWith(kept)).toBe(true);
});

test('after a context overflow and a reload, the unanswered message has Retry', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL, 64);
  await setMaxTokens(page, 8);
  await send(page, 'one two three four five six seven');
  await waitForReply(page, 1);
  await send(page, 'eight nine ten eleven twelve thirteen');
  await expect(page.getByTestId('overflow')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('chat-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('overflow')).toHaveCount(0);
  await expect(page.getByTestId('msg-user')).toHaveCount(2);
  await page.getByTestId('msg-user').last().getByTestId('msg-retry').click();
  await expect(page.getByTestId('overflow')).toContainText('of 64 tokens');
  await page.getByTestId('drop-oldest').click();
  await waitForReply(page, 2);
});

test('rename and delete ask in the app (Esc cancels), Esc closes the settings, and each setting is explained', async ({
  page,
}) => {
  const native: string[] = [];
  page.on('dialog', (d) => {
    native.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await expect(page.getByTestId('chat-item')).toHaveCount(1);
  const dialog = page.getByRole('dialog');
  await page.getByTestId('chat-rename').click();
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('dialog-input')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('chat-item')).toHaveText('New chat');
  await page.getByTestId('chat-rename').click();
  await page.getByTestId('dialog-input').fill('My parser');
  await page.getByTestId('dialog-input').press('Enter');
  await expect(page.getByTestId('chat-item')).toHaveText('My parser');

  await page.getByTestId('new-chat').click();
  await expect(page.getByTestId('chat-item')).toHaveCount(2);
  await page.getByTestId('chat-delete').last().click();
  await expect(dialog).toContainText('My parser');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('chat-item')).toHaveText(['New chat']);
  expect(native).toEqual([]);

  await page.getByTestId('settings-toggle').click();
  await expect(page.getByTestId('settings')).toBeVisible();
  await expect(page.getByTestId('setting-help')).toHaveCount(7);
  await expect(page.getByTestId('settings')).toContainText('Randomness');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('settings')).toHaveCount(0);
});

test('Use on the Models screen opens the chat with that model, and each conversation remembers its model', async ({
  page,
  fixtureServer,
}) => {
  await openModels(page);
  await importUrl(page, fixtureServer.url + MODEL);
  await expectStored(page);
  await importUrl(page, fixtureServer.url + '/models/ds2-pub-q8_0.gguf');
  await expect(page.getByTestId('model-row')).toHaveCount(2);
  await expect(page.getByTestId('import-progress')).toHaveCount(0, { timeout: 60_000 });
  const rows = page.getByTestId('model-row');
  const ids = [
    await rows.nth(0).getAttribute('data-model-id'),
    await rows.nth(1).getAttribute('data-model-id'),
  ] as string[];
  const ready = () =>
    expect(page.getByTestId('chat-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });

  // the second model, by Use: the chat opens with it
  await rows.nth(1).getByTestId('model-use').click();
  await ready();
  await expect(page.getByTestId('model-picker')).toHaveValue(ids[1]!);
  await setMaxTokens(page, 2);
  await send(page, 'first conversation');
  await waitForReply(page);

  // a new conversation on the first model, picked in the header
  await page.getByTestId('new-chat').click();
  await page.getByTestId('model-picker').selectOption(ids[0]!);
  await ready();
  await send(page, 'second conversation');
  await waitForReply(page);
  await shot(page, 'desktop-picker');

  // back to the first conversation: its model comes back with it
  await page.getByTestId('chat-item').filter({ hasText: 'first conversation' }).click();
  await expect(page.getByTestId('model-picker')).toHaveValue(ids[1]!);
  await ready();
  await page.getByTestId('chat-item').filter({ hasText: 'second conversation' }).click();
  await expect(page.getByTestId('model-picker')).toHaveValue(ids[0]!);
  await ready();
});

test('files dropped on the composer are attached as fenced blocks with their paths, counted against the context', async ({
  page,
  fixtureServer,
}) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 2);
  const drop = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['def add(a, b):\n    return a + b\n'], 'calc.py', { type: 'text/x-python' }));
    dt.items.add(new File(['# Notes\n\n```js\nlet x = 1;\n```\n'], 'NOTES.md', { type: 'text/markdown' }));
    dt.items.add(new File([new Uint8Array([137, 80, 78, 71, 0, 0, 1])], 'logo.png', { type: 'image/png' }));
    return dt;
  });
  await page.getByTestId('composer').dispatchEvent('drop', { dataTransfer: drop });
  await expect(page.getByTestId('attachment')).toHaveText(['calc.py✕', 'NOTES.md✕']);
  await expect(page.getByTestId('attachment-skipped')).toContainText('logo.png');
  await shot(page, 'desktop-attach');
  await expect(page.getByTestId('attachment-tokens')).toHaveText(
    /^Attached: \d+ tokens of the \d+ this device allows$/,
  );
  await page.getByTestId('composer').fill('what do these do?');
  await page.getByTestId('send').click();
  const user = page.getByTestId('msg-user');
  await expect(user).toContainText('calc.py');
  await expect(user.locator('pre code')).toHaveCount(2);
  await expect(user.locator('pre code').first()).toContainText('return a + b');
  // the Markdown file's own fence stays inside it: a longer fence around it
  await expect(user.locator('pre code').nth(1)).toContainText('```js');
  await expect(page.getByTestId('attachments')).toHaveCount(0);
  await waitForReply(page);
});
