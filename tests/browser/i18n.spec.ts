/**
 * The interface in Simplified Chinese: chosen from the browser's language on a first visit, switched
 * from the chat settings, kept across a reload, and with no English left on the translated screens.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { fixtureFile, importFile } from './support/store';

const SEEN_KEY = 'lite-coder.device-check-seen';
const LANG_KEY = 'lite-coder.lang';
const DEFAULT_MODEL_URL =
  'https://huggingface.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF/resolve/main/DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M.gguf';

/**
 * Latin words that may stay in the Chinese interface: product names, technical terms, units, the
 * WebGPU limit and feature names, and what the adapter itself reports. Longest first, so a phrase
 * is removed before the words in it.
 */
const ALLOWED = [
  DEFAULT_MODEL_URL,
  'DeepSeek-Coder-V2-Lite-Instruct',
  'DeepSeek-Coder-V2-Lite',
  'Lite Coder',
  'DeepSeek',
  'Markdown',
  'JSON',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'shader-f16',
  'subgroups',
  'WebGPU',
  'GGUF',
  '.gguf',
  'gguf',
  'attn_kv_b',
  'Enter',
  'Shift',
  'Top-p',
  'HTTP',
  'Range',
  // product and protocol names (the server settings: "OpenAI-compatible API")
  'OpenAI',
  'Ollama',
  'vLLM',
  'llama.cpp',
  // The language picker names each language in itself.
  'English',
  // What SwiftShader reports as its adapter.
  'google',
  'swiftshader',
  'SwiftShader',
  'Google',
];

/** Every run of four or more Latin letters in `text` that is not part of an allowed term. */
function englishLeftovers(text: string, extra: string[] = []): string[] {
  let rest = text;
  for (const term of [...extra, ...ALLOWED].sort((a, b) => b.length - a.length)) rest = rest.split(term).join(' ');
  return [...new Set(rest.match(/[A-Za-z]{4,}/g) ?? [])];
}

/** The visible text of the page, and the labels a screen reader or a tooltip shows on the main screen. */
async function visibleWords(page: Page): Promise<string> {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll<HTMLElement>('main [aria-label], main [title], main [placeholder]')]
      .filter((e) => e.offsetParent !== null || e === document.body)
      .flatMap((e) => ['aria-label', 'title', 'placeholder'].map((a) => e.getAttribute(a) ?? ''));
    return [document.body.innerText, ...labels].join('\n');
  });
}

test.describe('a Chinese browser', () => {
  test.use({ locale: 'zh-CN' });

  test('gets the device check, the models and the chat screens in Chinese on a first visit', async ({ page }) => {
    await page.goto('/');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    // The device check comes first, and the verdict from the worker is worded in Chinese too.
    await expect(page.getByRole('heading', { name: '我的设备能运行吗？' })).toBeVisible();
    await expect(page.getByTestId('verdict')).toBeVisible();
    await expect(page.getByTestId('verdict-headline')).toHaveText('你的 GPU 无法运行 DeepSeek-Coder-V2-Lite。');
    await expect(page.getByTestId('verdict-reason').first()).toHaveAttribute('data-code', 'software-adapter');
    await expect(page.getByTestId('verdict-reason').first()).toHaveText(
      'GPU 适配器是在 CPU 上运行的软件渲染器（swiftshader）：DeepSeek-Coder-V2-Lite 在它上面每生成一个词元都要好几分钟。',
    );
    await expect(page.getByTestId('feature-subgroups')).toHaveText('可用');
    await expect(page.getByTestId('feature-shader-f16')).toHaveText('不可用');
    await expect(page.getByTestId('adapter-kind')).toHaveText('软件渲染器（在 CPU 上运行）');
    await expect(page.getByTestId('limit-max-buffer-size')).toHaveText('1,073,741,824 字节（1 GiB）');
    await expect(page.getByTestId('storage-persisted')).toContainText('未授予');
    await expect(page.getByRole('button', { name: '申请持久存储' })).toBeVisible();
    await expect(page.getByTestId('tab-device')).toHaveText('我的设备能运行吗？');

    // Continue leads to the chat, with no model yet.
    await page.getByTestId('continue').click();
    await expect(page.getByTestId('continue')).toHaveCount(0);
    await expect(page.getByTestId('no-model')).toContainText('还没有存储模型');
    await expect(page.getByTestId('go-import')).toHaveText('导入模型');
    await expect(page.getByTestId('settings-toggle')).toHaveText('设置');
    await expect(page.getByTestId('new-chat')).toHaveText('+ 新对话');
    await expect(page.getByTestId('send')).toHaveText('发送');

    // The Models screen, then a model imported and verified there.
    await page.getByTestId('go-import').click();
    await expect(page.getByRole('heading', { name: '导入模型' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '已存储的模型' })).toBeVisible();
    await expect(page.getByTestId('import-url-button')).toHaveText('下载并导入（10.36 GB）');
    await expect(page.getByTestId('no-models')).toHaveText('还没有存储模型。请在上方导入一个。');
    await importFile(page, 'ds2-pub-q4_0.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
    await expect(page.getByTestId('import-notice')).toContainText('已存储', { timeout: 60_000 });
    await expect(page.getByTestId('model-state')).toHaveText('就绪');
    await expect(page.getByTestId('model-delete')).toHaveText('删除');
    await page.getByTestId('model-verify').click();
    await expect(page.getByTestId('verify-result')).toContainText('校验通过');
    await expect(page.locator('thead')).toContainText('占用空间');
  });

  test('leaves no English on the device, models and chat screens', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('verdict')).toBeVisible();
    await expect(page.getByTestId('device-check')).toHaveAttribute('aria-busy', 'false');
    await page.getByTestId('device-details').locator('summary').click(); // the folded tables too
    const device = await visibleWords(page);
    expect(device).toContain('无法运行');
    expect(englishLeftovers(device)).toEqual([]);

    // Asking for persistent storage adds a note (granted or declined), worded in Chinese too.
    await page.getByTestId('ask-persist').click();
    await expect(page.getByTestId('persist-note')).toBeVisible();
    expect(englishLeftovers(await page.getByTestId('persist-note').innerText())).toEqual([]);

    // The chat screen with no model stored, its settings open.
    await page.getByTestId('tab-chat').click();
    await expect(page.getByTestId('no-model')).toBeVisible();
    await page.getByTestId('settings-toggle').click();
    await expect(page.getByTestId('settings')).toBeVisible();
    expect(englishLeftovers(await visibleWords(page))).toEqual([]);

    await page.getByTestId('tab-models').click();
    await expect(page.getByTestId('no-models')).toBeVisible();
    expect(englishLeftovers(await visibleWords(page))).toEqual([]);

    // With a model stored: its row, details and buttons.
    await importFile(page, 'ds2-pub-q4_0.gguf', fixtureFile('ds2-pub-q4_0.gguf'));
    await expect(page.getByTestId('model-state')).toHaveText('就绪', { timeout: 60_000 });
    await page.getByTestId('model-verify').click();
    await expect(page.getByTestId('verify-result')).toContainText('校验通过');
    const name = await page.getByTestId('model-name').innerText();
    const models = await visibleWords(page);
    expect(models).toContain('已存储的模型');
    expect(englishLeftovers(models, [name, 'ds2-pub-q4_0.gguf'])).toEqual([]);
  });

  test('the check itself catches English', () => {
    expect(englishLeftovers('模型 Stored models · DeepSeek-Coder-V2-Lite · GPU · 1 GiB')).toEqual(['Stored', 'models']);
  });
});

test.describe('an English browser', () => {
  test.use({ locale: 'en-US' });

  test('switches to Chinese from the chat settings at once, and keeps it after a reload', async ({ page }) => {
    await page.addInitScript((key) => localStorage.setItem(key, '1'), SEEN_KEY);
    await page.goto('/');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect(page.getByTestId('tab-models')).toHaveText('Models');
    await expect(page.getByTestId('no-model')).toContainText('No model is stored yet');

    await page.getByTestId('settings-toggle').click();
    await expect(page.getByTestId('language')).toHaveValue('en');
    await page.getByTestId('language').selectOption('zh');

    // Everything already on screen changes, without a reload.
    await expect(page.getByTestId('tab-chat')).toHaveText('对话');
    await expect(page.getByTestId('tab-models')).toHaveText('模型');
    await expect(page.getByTestId('tab-device')).toHaveText('我的设备能运行吗？');
    await expect(page.getByTestId('settings-toggle')).toHaveText('设置');
    await expect(page.getByTestId('no-model')).toContainText('还没有存储模型');
    await expect(page.getByTestId('settings')).toContainText('语言');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    await page.getByTestId('tab-models').click();
    await expect(page.getByRole('heading', { name: '已存储的模型' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '导入模型' })).toBeVisible();
    await expect(page.getByTestId('import-url-button')).toHaveText('下载并导入（10.36 GB）');

    // The choice is stored and wins over the English browser after a reload.
    expect(await page.evaluate((key) => localStorage.getItem(key), LANG_KEY)).toBe('zh');
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await expect(page.getByTestId('tab-models')).toHaveText('模型');
    await expect(page.getByTestId('no-model')).toContainText('还没有存储模型');
    await page.getByTestId('tab-device').click();
    await expect(page.getByRole('heading', { name: '我的设备能运行吗？' })).toBeVisible();
    await expect(page.getByTestId('verdict-headline')).toHaveText('你的 GPU 无法运行 DeepSeek-Coder-V2-Lite。');

    // And back to English, again at once, the device check included.
    await page.getByTestId('tab-chat').click();
    await page.getByTestId('settings-toggle').click();
    await page.getByTestId('language').selectOption('en');
    await expect(page.getByTestId('tab-chat')).toHaveText('Chat');
    await expect(page.getByTestId('no-model')).toContainText('No model is stored yet');
    await page.getByTestId('tab-device').click();
    await expect(page.getByRole('heading', { name: 'Can my device run it?' })).toBeVisible();
    await expect(page.getByTestId('verdict-headline')).toHaveText('Your GPU cannot run DeepSeek-Coder-V2-Lite.');
  });
});
