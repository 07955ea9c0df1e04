/**
 * The layout at phone size (a drawer for the conversations, nothing wider than the screen) and at
 * desktop size (the conversations always beside the chat). Screenshots go to tests/.artifacts/.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { shot } from './support/shots';
import { fixtureFile, importFile } from './support/store';

const PHONE = { width: 390, height: 844 };

/** Straight to the chat (no device check first); no model is stored, so it offers the import. */
async function openChat(page: Page): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('lite-coder.device-check-seen', '1'));
  await page.goto('/');
  await expect(page.getByTestId('no-model')).toBeVisible();
}

/** The page scrolls only vertically: nothing sticks out past the right edge. */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // What sticks out, to make a failure say where.
    wide: [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.offsetParent !== null)
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}`,
      ),
  }));
  expect(wide, 'elements past the right edge').toEqual([]);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** The element lies within the viewport's width. */
async function expectWithinWidth(page: Page, testid: string): Promise<void> {
  const box = await page.getByTestId(testid).boundingBox();
  expect(box, testid).not.toBeNull();
  const width = page.viewportSize()!.width;
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

/** Nothing lies over the element's middle: a tap there reaches it. */
async function expectUncovered(page: Page, testid: string): Promise<void> {
  await expectWithinWidth(page, testid);
  const hit = await page.getByTestId(testid).evaluate((e) => {
    const r = e.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return top === e || e.contains(top)
      ? 'itself'
      : ((top as HTMLElement | null)?.dataset.testid ?? top?.className ?? 'nothing');
  });
  expect(hit, `what covers ${testid}`).toBe('itself');
}

const sidebar = (page: Page) => page.getByRole('complementary', { name: 'Conversations' });

test.describe('at phone size', () => {
  test.use({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-US' });

  test('the chat is usable: the drawer opens and closes, the composer fits, nothing overflows', async ({ page }) => {
    await openChat(page);
    await expect(sidebar(page)).toBeHidden();
    await expect(page.getByTestId('drawer-toggle')).toBeVisible();
    await expect(page.getByTestId('composer')).toBeVisible();
    await expectWithinWidth(page, 'composer');
    await expectWithinWidth(page, 'send');
    await expectWithinWidth(page, 'settings-toggle');
    await expectWithinWidth(page, 'go-import');
    await expectNoHorizontalOverflow(page);
    // The top bar's tabs are not covered by the drawer toggle: each can be tapped.
    for (const tab of ['tab-chat', 'tab-models', 'tab-device']) await expectUncovered(page, tab);
    await shot(page, 'phone-chat');

    await page.getByTestId('drawer-toggle').tap();
    await expect(sidebar(page)).toBeVisible();
    await expect(page.getByTestId('new-chat')).toBeVisible();
    await expectWithinWidth(page, 'new-chat');
    await expectNoHorizontalOverflow(page);
    await shot(page, 'phone-drawer');
    await page.getByTestId('drawer-toggle').tap();
    await expect(sidebar(page)).toBeHidden();

    // Picking a conversation closes the drawer as well.
    await page.getByTestId('drawer-toggle').tap();
    await page.getByTestId('chat-item').first().tap();
    await expect(sidebar(page)).toBeHidden();

    // Typing works and Send becomes available (no model: it stays disabled, but the field takes text).
    await page.getByTestId('composer').tap();
    await page.getByTestId('composer').fill('hello');
    await expect(page.getByTestId('composer')).toHaveValue('hello');

    // The settings panel fits too.
    await page.getByTestId('settings-toggle').tap();
    await expect(page.getByTestId('settings')).toBeVisible();
    await expectWithinWidth(page, 'settings');
    await expectNoHorizontalOverflow(page);
    await shot(page, 'phone-settings');
  });

  test('the models screen fits, with and without a stored model', async ({ page }) => {
    await openChat(page);
    await page.getByTestId('tab-models').tap();
    await expect(page.getByRole('heading', { name: 'Stored models' })).toBeVisible();
    await expectWithinWidth(page, 'import-url');
    await expectWithinWidth(page, 'import-url-button');
    await expectWithinWidth(page, 'dropzone');
    await expectNoHorizontalOverflow(page);
    await shot(page, 'phone-models');

    await importFile(page, 'ds2-pub-q4_0.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
    await expect(page.getByTestId('model-state')).toHaveText('ready', { timeout: 60_000 });
    for (const id of ['model-row', 'model-verify', 'model-delete']) await expectWithinWidth(page, id);
    await expectNoHorizontalOverflow(page);
    await shot(page, 'phone-models-stored');
  });

  test('the device check fits', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('verdict')).toBeVisible();
    await expect(page.getByTestId('device-check')).toHaveAttribute('aria-busy', 'false');
    await page.getByTestId('device-details').locator('summary').click();
    for (const id of ['verdict', 'limit-max-storage-buffer-binding-size', 'continue'])
      await expectWithinWidth(page, id);
    await expectNoHorizontalOverflow(page);
    await shot(page, 'phone-device');
  });

  test.describe('in Chinese', () => {
    test.use({ locale: 'zh-CN' });

    test('the chat, models and device screens fit', async ({ page }) => {
      await page.goto('/');
      await expect(page.getByTestId('verdict')).toBeVisible();
      await expectNoHorizontalOverflow(page);
      await shot(page, 'phone-device-zh');
      await page.getByTestId('continue').tap();
      await expect(page.getByTestId('no-model')).toBeVisible();
      await expectWithinWidth(page, 'composer');
      await expectNoHorizontalOverflow(page);
      await shot(page, 'phone-chat-zh');
      await page.getByTestId('tab-models').tap();
      await expect(page.getByTestId('no-models')).toBeVisible();
      await expectNoHorizontalOverflow(page);
      await shot(page, 'phone-models-zh');
    });
  });
});

test.describe('at desktop size', () => {
  test.use({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });

  test('the conversations stay beside the chat, with no drawer toggle', async ({ page }) => {
    await openChat(page);
    await expect(sidebar(page)).toBeVisible();
    await expect(page.getByTestId('new-chat')).toBeVisible();
    await expect(page.getByTestId('drawer-toggle')).toBeHidden();
    const side = (await sidebar(page).boundingBox())!;
    const composer = (await page.getByTestId('composer').boundingBox())!;
    expect(side.x + side.width).toBeLessThanOrEqual(composer.x);
    await expectNoHorizontalOverflow(page);
    await shot(page, 'desktop-chat');

    await page.getByTestId('tab-models').click();
    await expect(page.getByRole('heading', { name: 'Stored models' })).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await shot(page, 'desktop-models');
  });
});

// Problems in the chat screen's CSS (src/chat/chat.css, the top bar in src/styles.css), reported to
// their owners: remove `fixme` once they are fixed.
test.describe('between phone and desktop, and on a small phone', () => {
  test.use({ locale: 'en-US' });

  test('at 700 px the drawer toggle does not cover the top bar tabs', async ({ page }) => {
    // The toggle is position: fixed at the top right, where a one-line top bar has its last tab.
    await page.setViewportSize({ width: 700, height: 900 });
    await openChat(page);
    for (const tab of ['tab-chat', 'tab-models', 'tab-device']) {
      const hit = await page.getByTestId(tab).evaluate((e) => {
        const r = e.getBoundingClientRect();
        const top = document.elementFromPoint(r.right - 4, r.y + r.height / 2);
        return top === e || e.contains(top);
      });
      expect(hit, tab).toBe(true);
    }
  });

  test('at 360×640 the composer and Send fit the screen without scrolling', async ({ page }) => {
    // The chat is calc(100dvh - 100px) tall, but there the top bar wraps to three lines (126 px).
    await page.setViewportSize({ width: 360, height: 640 });
    await openChat(page);
    const send = (await page.getByTestId('send').boundingBox())!;
    expect(send.y + send.height).toBeLessThanOrEqual(640);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(640);
  });
});
