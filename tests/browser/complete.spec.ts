/** The "Complete" editor (issue 12): the cursor's surroundings become a FIM request, the middle ghost text. */
import { expect, test } from './support/fixtures';
import { fimFixture } from '../support/gguf-edit';
import { shot } from './support/shots';
import { expectStored, importFile, openModels } from './support/store';

test("the Complete editor offers the model's middle at the cursor as ghost text; Tab accepts it, Esc drops it", async ({
  page,
}) => {
  // a fixture given the FIM tokens (the test fixtures' vocabularies lack them)
  await openModels(page);
  await importFile(page, 'fim.gguf', fimFixture());
  await expectStored(page);
  await page.getByTestId('tab-complete').click();
  await expect(page.getByTestId('complete-screen')).toHaveAttribute('data-session', 'ready', { timeout: 60_000 });
  await page.getByTestId('complete-file').fill('calc.py');
  await page.getByTestId('complete-max-tokens').fill('3');
  const editor = page.getByTestId('complete-editor');
  await editor.click();
  await page.keyboard.type('def add(a, b):\n');
  // Python's language pack indents the body: the file name chose it
  await expect(editor).toContainText('def add(a, b):');
  await page.keyboard.press('Control+Space');
  const ghost = page.getByTestId('ghost');
  await expect(ghost).toHaveCount(1, { timeout: 60_000 });
  const offered = await ghost.evaluate((e) => e.textContent ?? '');
  expect(offered.length).toBeGreaterThan(0);
  await shot(page, 'desktop-complete');
  await page.keyboard.press('Escape');
  await expect(ghost).toHaveCount(0);
  await page.keyboard.press('Control+Space');
  await expect(ghost).toHaveCount(1, { timeout: 60_000 });
  await page.keyboard.press('Tab');
  await expect(ghost).toHaveCount(0);
  const doc = await editor.evaluate((e) => [...e.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n'));
  expect(doc.replace(/\s+/g, '')).toBe(`defadd(a,b):${offered}`.replace(/\s+/g, ''));
  await expect(editor.locator('.cm-line span[class]').first()).toBeVisible(); // highlighted as Python
});
