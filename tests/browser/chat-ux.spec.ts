/**
 * The chat's everyday paths through the UI (issue 12): the user's own Markdown, replies that were
 * cut short (reload, max_tokens, context overflow), in-app dialogs, and the settings panel.
 */
import { expect, test } from './support/fixtures';
import { chatWithFixture, send, setMaxTokens, waitForReply } from './support/chat';

const MODEL = '/models/ds2-pub-q4_0.gguf';

test('a user message is Markdown: code blocks highlighted, HTML sanitised', async ({ page, fixtureServer }) => {
  await chatWithFixture(page, fixtureServer.url + MODEL);
  await setMaxTokens(page, 2);
  await send(page, 'Why does **this** fail?\n\n```python\ndef f(x):\n    return x + 1\n```\n\n<img src=x onerror="window.pwned=1">');
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
