/** Two tabs of the app never both put the model on the GPU. */
import { expect, test } from './support/fixtures';
import { chatWithFixture, setMaxTokens } from './support/chat';

test('a second tab does not load a second engine, and can take the model over', async ({
  page,
  context,
  fixtureServer,
}) => {
  await chatWithFixture(page, `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`);
  await expect(page.getByTestId('send')).toBeVisible();

  const second = await context.newPage();
  await second.goto('/');
  await expect(second.getByTestId('model-elsewhere')).toContainText('loaded in another tab');
  await expect(second.getByTestId('model-loading')).toHaveCount(0);
  await second.getByTestId('composer').fill('hello');
  await expect(second.getByTestId('send')).toBeDisabled();

  await second.getByTestId('model-take-over').click();
  await expect(second.getByTestId('model-elsewhere')).toHaveCount(0);
  await expect(second.getByTestId('send')).toBeEnabled({ timeout: 60_000 });
  await expect(page.getByTestId('model-elsewhere')).toBeVisible(); // the first tab let go
  await setMaxTokens(second, 8);
  await second.getByTestId('composer').fill('hello');
  await second.getByTestId('composer').press('Enter');
  await expect(second.getByTestId('reply-stats')).toHaveCount(1, { timeout: 60_000 });
});
