/** The chat, end to end: a fixture model in the real store, the real runtime, the real UI. */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import { chatWithFixture, send, setMaxTokens, waitForReply } from './support/chat';

const MODEL = '/models/ds2-pub-q4_0.gguf';

test('a reply streams in token by token, with its speed figures', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 40);
  await send(page, 'write a loop');
  await expect(page.getByTestId('msg-user')).toHaveText(/write a loop/);
  const reply = page.getByTestId('msg-assistant');
  // Watch the text grow while it streams: several distinct lengths before the end.
  const lengths = new Set<number>();
  while ((await page.getByTestId('reply-stats').count()) === 0) {
    lengths.add(((await reply.textContent()) ?? '').length);
    await page.waitForTimeout(30);
  }
  expect(lengths.size).toBeGreaterThan(3);
  await expect(page.getByTestId('reply-stats')).toContainText(/tokens\/s · first token .* s · expert cache 100% hits/);
});

test('Stop ends a reply within a token, and Esc does too', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await page.getByTestId('settings-toggle').click();
  await page.getByTestId('temperature').fill('0'); // greedy: the same long reply every run
  await page.getByTestId('temperature').blur();
  await page.getByTestId('settings-toggle').click();
  await setMaxTokens(page, 400);
  await send(page, 'tell me everything');
  await expect(page.locator('[data-streaming="1"]')).toBeVisible();
  await page.getByTestId('stop').click();
  await waitForReply(page, 1);
  await expect(page.getByTestId('reply-stats')).toContainText('stopped');
  await send(page, 'again');
  await expect(page.locator('[data-streaming="1"]')).toBeVisible();
  await page.keyboard.press('Escape');
  await waitForReply(page, 2);
  await expect(page.getByTestId('reply-stats').nth(1)).toContainText('stopped');
});

test('regenerate and edit branch the conversation, and the history survives a reload', async ({
  page,
  fixtureServer,
}) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await page.getByTestId('settings-toggle').click();
  await page.getByTestId('temperature').fill('0.9');
  await page.getByTestId('temperature').blur();
  await page.getByTestId('max-tokens').fill('12');
  await page.getByTestId('max-tokens').blur();
  await page.getByTestId('settings-toggle').click();
  await send(page, 'first question');
  await waitForReply(page);
  const answer = page.getByTestId('msg-assistant').locator('.msg-body');
  const first = await answer.textContent();

  await page.getByTestId('msg-regenerate').click();
  await waitForReply(page);
  await expect(page.getByTestId('msg-assistant').getByTestId('branches')).toContainText('2 / 2');
  await page.getByTestId('msg-assistant').getByRole('button', { name: 'previous version' }).click();
  await expect(answer).toHaveText(first!);

  await page.getByTestId('msg-edit').click();
  await page.getByTestId('edit-text').fill('edited question');
  await page.getByTestId('edit-save').click();
  await waitForReply(page);
  await expect(page.getByTestId('msg-user')).toContainText('edited question');
  await expect(page.getByTestId('msg-user').getByTestId('branches')).toContainText('2 / 2');

  await page.reload();
  await expect(page.getByTestId('chat-item').first()).toHaveText('first question');
  await expect(page.getByTestId('msg-user')).toContainText('edited question');
  await page.getByTestId('msg-user').getByRole('button', { name: 'previous version' }).click();
  await expect(page.getByTestId('msg-user')).toContainText('first question');
  await expect(page.getByTestId('msg-assistant')).toHaveCount(1);
});

test('conversations can be renamed, searched, exported, deleted', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 4);
  await send(page, 'alpha topic');
  await waitForReply(page);
  await page.getByTestId('new-chat').click();
  await send(page, 'beta topic');
  await waitForReply(page);
  await page.getByTestId('chat-rename').first().click();
  await page.getByTestId('dialog-input').fill('Renamed beta');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('chat-item').first()).toHaveText('Renamed beta');
  await page.getByTestId('chat-search').fill('alpha');
  await expect(page.getByTestId('chat-item')).toHaveText(['alpha topic']);
  await page.getByTestId('chat-search').fill('');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-md').click();
  const md = await (await download).path();
  expect(readFileSync(md, 'utf8')).toContain('## User\n\nbeta topic');
  await page.getByTestId('chat-delete').first().click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('chat-item')).toHaveText(['alpha topic']);
});

test('a conversation that outgrows the context offers to drop the oldest turns', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL, 64);
  await setMaxTokens(page, 8);
  await send(page, 'one two three four five six seven');
  await waitForReply(page, 1);
  await send(page, 'eight nine ten eleven twelve thirteen');
  await expect(page.getByTestId('overflow')).toBeVisible();
  await expect(page.getByTestId('overflow')).toContainText('of 64 tokens');
  await page.getByTestId('drop-oldest').click();
  await waitForReply(page, 2);
  await expect(page.getByText('Earlier messages are no longer sent to the model.')).toBeVisible();
});

test('with no model stored, the chat leads to the import screen', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await expect(page.getByTestId('no-model')).toBeVisible();
  await page.getByTestId('go-import').click();
  await expect(page.getByRole('heading', { name: 'Import a model' })).toBeVisible();
});

test('a model that fails to load shows a clear message and a Retry', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  // Damage the store behind the app's back: the weight records disappear.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open('lite-coder-records');
      r.onsuccess = () => res(r.result);
    });
    const tx = db.transaction('records', 'readwrite');
    tx.objectStore('records').clear();
    await new Promise((res) => {
      tx.oncomplete = res;
    });
    db.close();
  });
  await page.reload();
  await expect(page.getByTestId('model-error')).toContainText(/could not be loaded: .*missing/);
  await page.getByTestId('model-retry').click();
  await expect(page.getByTestId('model-error')).toContainText(/missing/);
  await expect(page.getByTestId('send')).toBeDisabled();
});
