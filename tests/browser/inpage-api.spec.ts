/**
 * The in-page API as a developer gets it: dist/lite-coder.js, imported by a plain page on the app's
 * origin (not bundled with it), used as @mlc-ai/web-llm's engine would be.
 */
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { ChatCompletionChunk } from '@mlc-ai/web-llm';
import { fimFixture } from '../support/gguf-edit';
import { expect, test } from './support/fixtures';

type Api = typeof import('../../src/api/index');
declare global {
  interface Window {
    liteCoder: Api;
  }
}

const PAGE = fileURLToPath(new URL('../harness/inpage-api.html', import.meta.url));

/** The test page is not part of the build: it is served here, from the app's origin. */
async function openPage(page: Page): Promise<void> {
  await page.route('**/tests/harness/inpage-api.html', (route) =>
    route.fulfill({ path: PAGE, contentType: 'text/html' }),
  );
  await page.goto('/tests/harness/inpage-api.html');
  await page.waitForSelector('body[data-ready="1"], body[data-error]', { state: 'attached' });
  expect(await page.evaluate(() => document.body.dataset.error ?? null)).toBeNull();
}

test('the built module exports the web-llm entry points and no app', async ({ page }) => {
  await openPage(page);
  const names = await page.evaluate(() => Object.keys(window.liteCoder).sort());
  expect(names).toEqual(
    expect.arrayContaining([
      'CreateLiteCoderEngine',
      'CreateMLCEngine',
      'LiteCoderEngine',
      'MLCEngine',
      'importModel',
      'CreateWebWorkerMLCEngine',
      'WebWorkerMLCEngine',
      'WebWorkerMLCEngineHandler',
      'CreateServiceWorkerMLCEngine',
      'ServiceWorkerMLCEngine',
      'ServiceWorkerMLCEngineHandler',
      'prebuiltAppConfig',
      'hasModelInCache',
      'deleteModelAllInfoInCache',
      'deleteModelInCache',
      'deleteChatConfigInCache',
      'deleteModelWasmInCache',
      'ModelType',
    ]),
  );
  const src = await (await page.request.get('/lite-coder.js')).text();
  expect(src).not.toMatch(/preact/i);
  // The module is its own engine worker's script (so a worker or service worker of the page can host the engine too).
  expect(src).toContain('new Worker(import.meta.url');
  expect(src).not.toMatch(/engine\.worker-/);
});

test('import, CreateMLCEngine, streaming chat with usage, FIM errors, web-llm rejections, models.list', async ({
  page,
  fixtureServer,
}) => {
  await openPage(page);
  const r = await page.evaluate(async (url) => {
    const { importModel, CreateMLCEngine } = window.liteCoder;
    const phases = new Set<string>();
    const model = await importModel(url, (p) => phases.add(p.phase));
    const progress: number[] = [];
    const engine = await CreateMLCEngine(model.id, { initProgressCallback: (p) => progress.push(p.progress) });
    const listed = await engine.models.list();

    const chunks: ChatCompletionChunk[] = [];
    const stream = await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'write a quick sort in python' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: 8,
    });
    for await (const c of stream) chunks.push(c);
    const whole = await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'write a quick sort in python' }],
      temperature: 0,
      max_tokens: 8,
    });

    const why = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const user = [{ role: 'user' as const, content: 'hi' }];
    return {
      model,
      phases: [...phases],
      progress,
      listed,
      chunks,
      whole,
      noFim: await why(engine.completions.create({ prompt: 'def f(', suffix: ')\n', max_tokens: 4 })),
      temperature: await why(engine.chat.completions.create({ messages: user, temperature: -1 })),
      topP: await why(engine.chat.completions.create({ messages: user, top_p: 2 })),
      topPStream: await why(engine.chat.completions.create({ messages: user, top_p: 2, stream: true })),
      completionTemperature: await why(engine.completions.create({ prompt: 'x', temperature: -1 })),
      maxTokens: await why(engine.chat.completions.create({ messages: user, max_tokens: 0 })),
      order: await why(
        engine.chat.completions.create({ messages: [...user, { role: 'assistant', content: 'hello' }] }),
      ),
      // The engine still works after the rejections.
      after: (
        await engine.chat.completions.create({
          messages: [{ role: 'user', content: 'write a quick sort in python' }],
          temperature: 0,
          max_tokens: 8,
        })
      ).choices[0]!.message.content,
      // Last: as in web-llm, reload() unloads the current model before it looks for the new one.
      unknown: await why(engine.reload('no-such-model')),
      unknownCreate: await why(CreateMLCEngine('no-such-model')),
    };
  }, `${fixtureServer.url}/models/ds2-pub-q4_0.gguf`);

  expect(r.phases).toContain('done');
  expect(r.progress.at(-1)).toBe(1);
  expect(r.listed.map((m) => m.id)).toContain(r.model.id);
  const listed = r.listed.find((m) => m.id === r.model.id)!;
  expect(typeof listed.name).toBe('string');

  // Streaming: text deltas, one finish_reason chunk, then the usage chunk.
  expect(r.chunks.length).toBeGreaterThan(2);
  for (const c of r.chunks) expect(c.object).toBe('chat.completion.chunk');
  const text = r.chunks.filter((c) => c.choices.length > 0);
  for (const c of text)
    expect(typeof c.choices[0]!.delta.content === 'string' || c.choices[0]!.finish_reason !== null).toBe(true);
  expect(text.filter((c) => c.choices[0]!.finish_reason !== null)).toHaveLength(1);
  expect(text.at(-1)!.choices[0]!.finish_reason).toMatch(/^(stop|length)$/);
  const usage = r.chunks.at(-1)!;
  expect(usage.choices).toEqual([]);
  expect(usage.usage!.prompt_tokens).toBeGreaterThan(0);
  expect(usage.usage!.completion_tokens).toBeGreaterThan(0);
  expect(usage.usage!.completion_tokens).toBeLessThanOrEqual(8);
  const streamed = text.map((c) => c.choices[0]!.delta.content ?? '').join('');
  expect(r.whole.object).toBe('chat.completion');
  expect(streamed).toBe(r.whole.choices[0]!.message.content);
  expect(r.after).toBe(r.whole.choices[0]!.message.content);

  expect(r.noFim).toMatch(/no FIM \(fill-in-the-middle\) tokens/);
  expect(r.unknown).toMatch(/^ModelNotFoundError: /);
  expect(r.unknownCreate).toMatch(/^ModelNotFoundError: /);
  expect(r.temperature).toBe('NonNegativeError: Make sure temperature >= 0.');
  expect(r.topP).toBe('RangeError: Make sure 0 < top_p <= 1.');
  expect(r.topPStream).toBe('RangeError: Make sure 0 < top_p <= 1.');
  expect(r.completionTemperature).toBe('NonNegativeError: Make sure temperature >= 0.');
  expect(r.maxTokens).toBe('MinValueError: Make sure `max_tokens` > 0.');
  expect(r.order).toMatch(/^MessageOrderError: The last message must be from the user/);
});

test('completions.create with a suffix fills in the middle (a model imported from a Blob)', async ({ page }) => {
  await openPage(page);
  const bytes = Array.from(fimFixture());
  const r = await page.evaluate(async (bytes) => {
    const { importModel, LiteCoderEngine } = window.liteCoder;
    const model = await importModel(new Blob([new Uint8Array(bytes)]));
    const engine = new LiteCoderEngine();
    await engine.reload(model.id);
    const req = {
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      max_tokens: 8,
      temperature: 0,
      ignore_eos: true,
    };
    const fim = await engine.completions.create(req);
    const streamed: string[] = [];
    for await (const c of await engine.completions.create({ ...req, stream: true }))
      streamed.push(c.choices[0]?.text ?? '');
    await engine.unload();
    return { fim, streamed: streamed.join('') };
  }, bytes);
  expect(r.fim.object).toBe('text_completion');
  expect(typeof r.fim.choices[0]!.text).toBe('string');
  expect(r.fim.choices[0]!.finish_reason).toBe('length');
  expect(r.fim.usage!.completion_tokens).toBe(8);
  expect(r.streamed).toBe(r.fim.choices[0]!.text);
});
