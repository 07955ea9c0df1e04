/**
 * Artifacts in the chat. A fixture model's replies are meaningless, so these start from an imported
 * conversation (the real JSON import) whose assistant message holds an HTML game.
 */
import { addMessage, newConversation } from '../../src/chat/conversation';
import { toJson } from '../../src/chat/transfer';
import { expect, test } from './support/fixtures';
import { chatWithFixture } from './support/chat';

const GAME = `<!doctype html>
<html><head><title>Catch the square</title>
<style>body{font-family:sans-serif} #box{width:40px;height:40px;background:tomato;position:relative}</style></head>
<body>
<h1 id="score">Score: 0</h1>
<div id="box"></div>
<button id="hit">Hit</button>
<button id="crash">Crash</button>
<script>
let score = 0;
console.log('game started');
document.getElementById('hit').onclick = () => { score++; document.getElementById('score').textContent = 'Score: ' + score; console.log('score', score); };
document.getElementById('crash').onclick = () => { null.explode(); };
let x = 0;
function frame() { x = (x + 2) % 200; document.getElementById('box').style.left = x + 'px'; requestAnimationFrame(frame); }
requestAnimationFrame(frame);
</script>
</body></html>`;

function conversationWithGame(): string {
  let c = newConversation(1, 'imported');
  c = addMessage(c, null, 'user', 'Make me a small browser game', 2, 'u1');
  c = addMessage(
    c,
    'u1',
    'assistant',
    `Here is a tiny game:\n\n\`\`\`html\n${GAME}\n\`\`\`\n\nClick **Hit** to score.`,
    3,
    'a1',
  );
  return toJson({ ...c, title: 'Game chat' });
}

test("an imported conversation's HTML game runs sandboxed, shows its console, and an error produces the fix-it turn", async ({
  page,
  fixtureServer,
}) => {
  await chatWithFixture(page, `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`);
  await page
    .getByTestId('import-chat-file')
    .setInputFiles({ name: 'chat.json', mimeType: 'application/json', buffer: Buffer.from(conversationWithGame()) });
  await expect(page.getByTestId('chat-item').first()).toHaveText('Game chat');
  await expect(page.getByTestId('msg-assistant').locator('pre code')).toContainText('Catch the square');

  await page.getByTestId('artifact-run').click();
  await expect(page.getByTestId('artifact-title')).toHaveText('Catch the square');
  const game = page.frameLocator('[data-testid="artifact-stage"] iframe');
  await expect(game.locator('#score')).toHaveText('Score: 0');
  await expect(page.getByTestId('artifact-console-lines')).toContainText('game started');
  await game.locator('#hit').click();
  await expect(game.locator('#score')).toHaveText('Score: 1');
  await expect(page.getByTestId('artifact-console-lines')).toContainText('score 1');
  const sandbox = await page.locator('[data-testid="artifact-stage"] iframe').getAttribute('sandbox');
  expect(sandbox).toBe('allow-scripts');

  await game.locator('#crash').click();
  await expect(page.getByTestId('artifact-console-lines')).toContainText(/TypeError/);
  await page.getByTestId('artifact-fix').click();
  // The fix-it request is a new user turn carrying the error and the code; the model answers it.
  const turn = page.getByTestId('msg-user').last();
  await expect(turn).toContainText('TypeError');
  await expect(turn).toContainText('Catch the square');
  await expect(page.getByTestId('msg-user')).toHaveCount(2);
});
