/** The web-llm-shaped engine API, end to end in the browser: worker, store, runtime, sampler. */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { ChatCompletion, ChatCompletionChunk, Completion } from '@mlc-ai/web-llm';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { fimFixture } from '../support/gguf-edit';
import { Tokenizer } from '../../workers/model/tokenizer';
import { tokenizerDataFromMetadata } from '../../workers/model/tokenizer-from-gguf';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { openHarness } from './support/model';

const FULLVOCAB = 'fullvocab/tiny-q4_0.gguf';

/** Import a fixture (by URL, or as file bytes) and load it; leaves `window.lc` as the engine client. */
async function loadFixture(
  page: Page,
  source: { url: string } | { bytes: number[] },
  opts: Record<string, number> = {},
): Promise<string> {
  await openHarness(page);
  return page.evaluate(
    async ({ source, opts }) => {
      const h = window.liteCoderHarness;
      const imported =
        'url' in source
          ? await h.engine().importModel(
              { kind: 'url', url: source.url },
              h.Comlink.proxy(() => {}),
            )
          : await h.engine().importModel(
              { kind: 'file', file: new File([new Uint8Array(source.bytes)], 'model.gguf') },
              h.Comlink.proxy(() => {}),
            );
      const lc = new h.LiteCoderEngine();
      await lc.reload(imported.id, opts);
      (window as unknown as { lc: typeof lc }).lc = lc;
      return imported.id;
    },
    { source, opts },
  );
}

test('chat.completions.create streams the reference tokens as text, with usage', async ({ page, fixtureServer }) => {
  const ref = JSON.parse(
    readFileSync(`${FIXTURE_DIR}${FULLVOCAB.replace('tiny-q4_0.gguf', 'reference-q4_0.json')}`, 'utf8'),
  ) as { tokens: number[]; generated_tokens: number[] };
  const file = readFileSync(`${FIXTURE_DIR}${FULLVOCAB}`);
  const tok = new Tokenizer(tokenizerDataFromMetadata(parseGgufHeader(file, file.byteLength).metadata));
  await loadFixture(page, { url: `${fixtureServer.url}/${FULLVOCAB}` });
  const chunks = await page.evaluate(async () => {
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const out: ChatCompletionChunk[] = [];
    const stream = await lc.chat.completions.create({
      messages: [{ role: 'user', content: 'write a quick sort in python' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: 16,
    });
    for await (const c of stream) out.push(c);
    return out;
  });
  const usage = chunks.at(-1)!;
  expect(usage.choices).toEqual([]);
  expect(usage.usage).toMatchObject({
    prompt_tokens: ref.tokens.length,
    completion_tokens: 16,
    total_tokens: ref.tokens.length + 16,
  });
  expect(usage.usage!.extra.decode_tokens_per_s).toBeGreaterThan(0);
  const content = chunks
    .slice(0, -2)
    .map((c) => c.choices[0]!.delta.content ?? '')
    .join('');
  expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
  expect(chunks.slice(0, -1).every((c) => c.object === 'chat.completion.chunk' && c.choices.length === 1)).toBe(true);
  expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('length');
  expect(content).toBe(tok.decode(ref.generated_tokens));
  expect(chunks.length).toBeGreaterThan(3); // streamed piece by piece, not in one go
});

test('non-streaming chat completion; seeds make sampling repeatable', async ({ page, fixtureServer }) => {
  await loadFixture(page, { url: `${fixtureServer.url}/models/ds2-pub-f32.gguf` });
  const r = (await page.evaluate(async () => {
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const ask = (extra: Record<string, number>) =>
      lc.chat.completions.create({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'hello there' },
        ],
        max_tokens: 12,
        ...extra,
      });
    return {
      a: await ask({ temperature: 0.9, seed: 7 }),
      b: await ask({ temperature: 0.9, seed: 7 }),
      c: await ask({ temperature: 0.9, seed: 8 }),
      g: await ask({ temperature: 0 }),
    };
  })) as Record<'a' | 'b' | 'c' | 'g', ChatCompletion>;
  expect(r.a.object).toBe('chat.completion');
  expect(r.a.choices[0]!.message.role).toBe('assistant');
  expect(r.a.usage!.completion_tokens).toBeGreaterThan(0);
  expect(r.a.choices[0]!.message.content).toBe(r.b.choices[0]!.message.content);
  expect(r.a.choices[0]!.message.content).not.toBe(r.c.choices[0]!.message.content);
  // The same prompt each time: prompt_tokens counts what a request computed (web-llm's meaning), the
  // rest came from the KV cache of the request before.
  const reused = (u: ChatCompletion['usage']) =>
    (u!.extra as unknown as { prompt_tokens_reused: number }).prompt_tokens_reused;
  expect(r.a.usage!.prompt_tokens + reused(r.a.usage)).toBe(r.g.usage!.prompt_tokens + reused(r.g.usage));
  expect(reused(r.g.usage)).toBeGreaterThan(0);
});

test('interruptGenerate stops a stream within a token', async ({ page, fixtureServer }) => {
  await loadFixture(page, { url: `${fixtureServer.url}/models/ds2-pub-q4_0.gguf` });
  const r = await page.evaluate(async () => {
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const stream = await lc.chat.completions.create({
      messages: [{ role: 'user', content: 'go on forever' }],
      stream: true,
      max_tokens: 500,
      ignore_eos: true,
      temperature: 0,
    });
    let n = 0;
    let finish: string | null = null;
    for await (const c of stream) {
      n++;
      finish = c.choices[0]?.finish_reason ?? finish;
      if (n === 3) lc.interruptGenerate();
    }
    return { n, finish };
  });
  expect(r.finish).toBe('abort');
  expect(r.n).toBeLessThanOrEqual(6); // 3 chunks, the token in flight, at most one more, and the finish chunk
});

test('invalid requests are rejected the way web-llm rejects them', async ({ page, fixtureServer }) => {
  await loadFixture(page, { url: `${fixtureServer.url}/models/ds2-pub-q4_0.gguf` });
  const errors = await page.evaluate(async () => {
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    return [
      await fail(
        lc.chat.completions.create({
          messages: [
            { role: 'user', content: 'a' },
            { role: 'assistant', content: 'b' },
          ],
        }),
      ),
      await fail(lc.chat.completions.create({ messages: [{ role: 'user', content: 'a' }], temperature: -1 })),
      await fail(lc.chat.completions.create({ messages: [{ role: 'user', content: 'a' }], top_p: 2, stream: true })),
      await fail(lc.completions.create({ prompt: 'def f(', suffix: 'return 1' })),
      await fail(lc.reload('no-such-model')),
    ];
  });
  expect(errors[0]).toMatch(/^MessageOrderError: .*last message must be from the user/);
  expect(errors[1]).toMatch(/temperature/);
  expect(errors[2]).toMatch(/top_p/);
  expect(errors[3]).toMatch(/no FIM/);
  expect(errors[4]).toMatch(/^ModelNotFoundError/);
});

test('completions.create with a suffix fills in the middle with the FIM tokens', async ({ page }) => {
  const bytes = fimFixture();
  const id = await loadFixture(page, { bytes: Array.from(bytes) });
  const r = await page.evaluate(async (id) => {
    const { engine } = window.liteCoderHarness;
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const fim = await lc.completions.create({
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      max_tokens: 8,
      temperature: 0,
      ignore_eos: true,
    });
    const ids = await engine().encodePrompt(id, {
      kind: 'fim',
      prefix: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
    });
    const direct = await engine().generateTokens({ promptIds: ids, maxTokens: 8, stopIds: [] });
    const streamed: Completion[] = [];
    for await (const c of await lc.completions.create({
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      max_tokens: 8,
      temperature: 0,
      ignore_eos: true,
      stream: true,
    }))
      streamed.push(c);
    return { fim, ids, direct: direct.ids, streamed };
  }, id);
  expect(r.ids.slice(0, 2)).toEqual([497, 510]); // BOS, fim_begin
  expect(r.ids).toContain(509);
  expect(r.ids.at(-1)).toBe(511);
  expect(r.fim.object).toBe('text_completion');
  expect(r.fim.usage!.prompt_tokens).toBe(r.ids.length);
  expect(r.fim.usage!.completion_tokens).toBe(8);
  expect(r.streamed.map((c) => c.choices[0]?.text ?? '').join('')).toBe(r.fim.choices[0]!.text);
  expect(r.direct).toHaveLength(8);
});

test('a prompt longer than the context gets a clear error', async ({ page, fixtureServer }) => {
  await loadFixture(page, { url: `${fixtureServer.url}/models/ds2-pub-q4_0.gguf` }, { contextLength: 16 });
  const err = await page.evaluate(async () => {
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    return lc.chat.completions
      .create({
        messages: [{ role: 'user', content: 'this message is certainly longer than sixteen tokens of context' }],
      })
      .then(
        () => 'no error',
        (e: Error) => e.message,
      );
  });
  expect(err).toMatch(/the context on this device holds 16/);
});

test('a lost GPU device ends the request with a clear error, and the model loads again', async ({
  page,
  fixtureServer,
}) => {
  const id = await loadFixture(page, { url: `${fixtureServer.url}/models/ds2-pub-q4_0.gguf` });
  const r = await page.evaluate(async (id) => {
    const { engine } = window.liteCoderHarness;
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    const ask = () =>
      lc.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, temperature: 0 });
    const before = (await ask()).choices[0]!.message.content;
    await engine().simulateDeviceLoss();
    const lost = await ask().then(
      () => 'no error',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    await lc.reload(id);
    const after = (await ask()).choices[0]!.message.content;
    return { before, lost, after };
  }, id);
  expect(r.lost).toMatch(/^DeviceLostError: The GPU device was lost.*Load the model again/);
  expect(r.after).toBe(r.before);
});

test('a store read that fails mid-generation ends the request with a clear error', async ({ page, fixtureServer }) => {
  const id = await loadFixture(
    page,
    { url: `${fixtureServer.url}/models/ds2-pub-q4_0.gguf` },
    { expertBudgetMB: 0.006 },
  );
  const err = await page.evaluate(async (id) => {
    const { engine } = window.liteCoderHarness;
    const lc = (window as unknown as { lc: InstanceType<typeof window.liteCoderHarness.LiteCoderEngine> }).lc;
    await engine().deleteModel(id); // paged mode: the next miss finds no record
    return lc.chat.completions
      .create({
        messages: [{ role: 'user', content: 'tell me a long story about experts' }],
        max_tokens: 30,
        temperature: 0,
      })
      .then(
        () => 'no error',
        (e: Error) => e.message,
      );
  }, id);
  expect(err).toMatch(/expert record .* is missing/);
});
