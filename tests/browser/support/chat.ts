/** Driving the chat screen as a user does. */
import { expect, type Page } from '@playwright/test';
import { expectStored, importUrl, openModels } from './store';

/** Import a fixture through the Models screen, open the chat, and wait until the model is loaded. */
export async function chatWithFixture(page: Page, url: string, contextLimit?: number): Promise<void> {
  if (contextLimit)
    await page.addInitScript((n) => localStorage.setItem('lite-coder.context-limit', String(n)), contextLimit);
  await openModels(page);
  await importUrl(page, url);
  await expectStored(page);
  await page.getByTestId('tab-chat').click();
  await expect(page.getByTestId('composer')).toBeVisible();
  await waitForModel(page);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
}

/** Wait until the chat's model is loaded (the session is ready), not merely until no progress bar shows. */
export async function waitForModel(page: Page): Promise<void> {
  await expect(page.getByTestId('chat-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });
}

export async function setMaxTokens(page: Page, n: number): Promise<void> {
  await page.getByTestId('settings-toggle').click();
  await page.getByTestId('max-tokens').fill(String(n));
  await page.getByTestId('max-tokens').blur();
  await page.getByTestId('settings-toggle').click();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

export async function waitForReply(page: Page, n = 1): Promise<void> {
  await expect(page.getByTestId('reply-stats')).toHaveCount(n, { timeout: 60_000 });
}
