/**
 * web-llm's request fields beyond text in, text out (issue 11): response_format through grammar
 * decoding (JSON, a JSON schema, an EBNF grammar), logprobs, logit_bias, n > 1, echo, frequency and
 * presence penalties, and the named errors of the checks, written as a web-llm user writes them,
 * against the web-llm-shaped client on a random-weight fixture model.
 */
import type { Page } from '@playwright/test';
import type { ChatCompletion, Completion } from '@mlc-ai/web-llm';
import { expect, test } from './support/fixtures';
import { openHarness } from './support/model';

const MODEL = 'models/ds2-pub-q4_0.gguf';

async function load(page: Page, url: string): Promise<void> {
  await openHarness(page);
  await page.evaluate(async (url) => {
    const h = window.liteCoderHarness;
    const m = await h.engine().importModel(
      { kind: 'url', url },
      h.Comlink.proxy(() => {}),
    );
    const engine = new h.LiteCoderEngine();
    await engine.reload(m.id);
    (window as unknown as { engine: typeof engine }).engine = engine;
  }, url);
}

type Engine = InstanceType<typeof window.liteCoderHarness.LiteCoderEngine>;

test('response_format: JSON mode, a JSON schema and an EBNF grammar give text that parses, even from random weights', async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(240_000);
  await load(page, `${fixtureServer.url}/${MODEL}`);
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 8 },
      count: { type: 'integer', minimum: 0, maximum: 99 },
      ok: { type: 'boolean' },
    },
    required: ['name', 'count', 'ok'],
  };
  const r = await page.evaluate(async (schema) => {
    const engine = (window as unknown as { engine: Engine }).engine;
    // A random-weight model likes whitespace, which JSON allows anywhere (as in web-llm): room for it.
    const ask = (response_format: Record<string, unknown>, seed: number) =>
      engine.chat.completions
        .create({
          messages: [{ role: 'user', content: 'describe a thing as JSON' }],
          max_tokens: 400,
          temperature: 0.8,
          seed,
          response_format: response_format,
        })
        .then((c) => ({ text: c.choices[0]!.message.content ?? '', finish: c.choices[0]!.finish_reason }));
    const schemaText = JSON.stringify(schema);
    const out: { kind: string; text: string; finish: string }[] = [];
    for (const seed of [1, 2]) out.push({ kind: 'json', ...(await ask({ type: 'json_object' }, seed)) });
    for (const seed of [1, 2])
      out.push({ kind: 'schema', ...(await ask({ type: 'json_object', schema: schemaText }, seed)) });
    out.push({
      kind: 'openai json_schema',
      ...(await ask({ type: 'json_schema', json_schema: { name: 'thing', schema } }, 3)),
    });
    out.push({
      kind: 'grammar',
      ...(await ask({ type: 'grammar', grammar: 'root ::= "yes" | "no" | ("maybe " [0-9])' }, 4)),
    });
    // plain text from the same model for contrast: it is not JSON
    const plain = await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'describe a thing as JSON' }],
      max_tokens: 24,
      temperature: 0.8,
      seed: 1,
    });
    return { out, plain: plain.choices[0]!.message.content ?? '' };
  }, schema);
  for (const o of r.out.filter((x) => x.kind === 'json')) {
    expect(o.finish, o.kind).toBe('stop');
    expect(() => JSON.parse(o.text), o.text).not.toThrow();
  }
  for (const o of r.out.filter((x) => x.kind.includes('schema'))) {
    expect(o.finish, o.kind).toBe('stop');
    const v = JSON.parse(o.text) as Record<string, unknown>;
    expect(Object.keys(v).sort(), o.kind).toEqual(['count', 'name', 'ok']);
    expect(typeof v.name).toBe('string');
    expect((v.name as string).length).toBeLessThanOrEqual(8);
    expect(Number.isInteger(v.count) && (v.count as number) >= 0 && (v.count as number) <= 99).toBe(true);
    expect(typeof v.ok).toBe('boolean');
  }
  expect(r.out.find((x) => x.kind === 'grammar')!.text).toMatch(/^(yes|no|maybe [0-9])$/);
  expect(() => JSON.parse(r.plain)).toThrow();
});

test('logprobs: the log-softmax of the logits, for each token and its top alternatives', async ({
  page,
  fixtureServer,
}) => {
  await load(page, `${fixtureServer.url}/${MODEL}`);
  const r = (await page.evaluate(async () => {
    const h = window.liteCoderHarness;
    const engine = (window as unknown as { engine: Engine }).engine;
    const messages = [{ role: 'user' as const, content: 'hello' }];
    const c = await engine.chat.completions.create({
      messages,
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: 3,
    });
    // the full logits of the prompt's last position, through the token API, for the reference
    const ids = await h.engine().encodePrompt((await h.engine().loadedModel())!.modelId, { kind: 'chat', messages });
    const full = await h.engine().generateTokens({ promptIds: ids, maxTokens: 1, stopIds: [], wantPromptLogits: true });
    const streamed: unknown[] = [];
    for await (const chunk of await engine.chat.completions.create({
      messages,
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: 2,
      stream: true,
    })) {
      streamed.push(...(chunk.choices[0]?.logprobs?.content ?? []));
    }
    return { c, logits: full.promptLogits!, first: full.ids[0]!, streamed };
  })) as { c: ChatCompletion; logits: number[]; first: number; streamed: { logprob: number }[] };
  const content = r.c.choices[0]!.logprobs!.content!;
  expect(content.length).toBeGreaterThan(0);
  const m = Math.max(...r.logits);
  const lse = m + Math.log(r.logits.reduce((s, v) => s + Math.exp(v - m), 0));
  // greedy: the first token is the argmax; its logprob and its top 3 are the logits' log-softmax
  expect(Math.abs(content[0]!.logprob - (r.logits[r.first]! - lse))).toBeLessThan(1e-3);
  const order = r.logits.map((_, i) => i).sort((a, b) => r.logits[b]! - r.logits[a]!);
  expect(content[0]!.top_logprobs.map((t) => t.logprob)).toEqual(
    order.slice(0, 3).map((i) => expect.closeTo(r.logits[i]! - lse, 3)),
  );
  for (const e of content) {
    expect(e.logprob).toBeLessThanOrEqual(0);
    expect(e.top_logprobs).toHaveLength(3);
    expect(e.top_logprobs.reduce((s, t) => s + Math.exp(t.logprob), 0)).toBeLessThanOrEqual(1 + 1e-5);
    expect(e.top_logprobs[0]!.logprob).toBeGreaterThanOrEqual(e.logprob - 1e-6); // greedy picks the most likely
    expect(e.bytes).toEqual(Array.from(new TextEncoder().encode(e.token)));
  }
  expect(r.streamed.map((e) => e.logprob)).toEqual(content.map((e) => expect.closeTo(e.logprob, 5)));
});

test('logit_bias forces a token and bans one; frequency and presence penalties break repetition', async ({
  page,
  fixtureServer,
}) => {
  await load(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(async () => {
    const h = window.liteCoderHarness;
    const engine = (window as unknown as { engine: Engine }).engine;
    const modelId = (await h.engine().loadedModel())!.modelId;
    const messages = [{ role: 'user' as const, content: 'go on' }];
    const idOf = async (text: string) => (await h.engine().encodePrompt(modelId, { kind: 'raw', text })).at(-1)!;
    const ask = (extra: Record<string, unknown>) =>
      engine.chat.completions
        .create({
          messages,
          max_tokens: 20,
          temperature: 0,
          logprobs: true,
          top_logprobs: 1,
          ignore_eos: true,
          ...extra,
        })
        .then((c) => c.choices[0]!.logprobs!.content!.map((e) => e.token));
    const plain = await ask({});
    const x = await idOf('x');
    const forced = await ask({ logit_bias: { [String(x)]: 100 } });
    const prompt = await h.engine().encodePrompt(modelId, { kind: 'chat', messages });
    const first = (await h.engine().generateTokens({ promptIds: prompt, maxTokens: 1, stopIds: [] })).ids[0]!;
    const banned = await ask({ logit_bias: { [String(first)]: -100 } });
    const penalised = await ask({ frequency_penalty: 1, presence_penalty: 1 });
    return { plain, forced, banned, penalised };
  });
  expect(new Set(r.forced)).toEqual(new Set(['x']));
  expect(r.banned[0]).not.toBe(r.plain[0]);
  // The penalties change the greedy path where it would repeat a token it already wrote.
  const split = r.penalised.findIndex((t, i) => t !== r.plain[i]);
  expect(split).toBeGreaterThan(0);
  expect(r.plain.slice(0, split)).toContain(r.plain[split]);
});

test('n = 2 gives two choices (repeatable with a seed), echo puts the prompt first, and the checks name their errors as web-llm does', async ({
  page,
  fixtureServer,
}) => {
  await load(page, `${fixtureServer.url}/${MODEL}`);
  const r = (await page.evaluate(async () => {
    const engine = (window as unknown as { engine: Engine }).engine;
    const messages = [{ role: 'user' as const, content: 'pick a word' }];
    const two = await engine.chat.completions.create({ messages, n: 2, max_tokens: 8, temperature: 1, seed: 42 });
    const again = await engine.chat.completions.create({ messages, n: 2, max_tokens: 8, temperature: 1, seed: 42 });
    const echo = await engine.completions.create({ prompt: 'def f(x):', echo: true, max_tokens: 4, temperature: 0 });
    const plain = await engine.completions.create({ prompt: 'def f(x):', max_tokens: 4, temperature: 0 });
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const errors = {
      streamN: await fail(engine.chat.completions.create({ messages, n: 2, stream: true })),
      topLogprobs: await fail(engine.chat.completions.create({ messages, top_logprobs: 2 })),
      topLogprobsRange: await fail(engine.chat.completions.create({ messages, logprobs: true, top_logprobs: 9 })),
      bias: await fail(engine.chat.completions.create({ messages, logit_bias: { 5: 101 } })),
      schemaType: await fail(
        engine.chat.completions.create({ messages, response_format: { type: 'text', schema: '{}' } as never }),
      ),
      grammar: await fail(engine.chat.completions.create({ messages, response_format: { type: 'grammar' } as never })),
      tools: await fail(
        engine.chat.completions.create({
          messages,
          tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        }),
      ),
      streamOptions: await fail(engine.chat.completions.create({ messages, stream_options: { include_usage: true } })),
      seed: await fail(engine.chat.completions.create({ messages, seed: 1.5 })),
    };
    return { two, again, echo, plain, errors };
  })) as {
    two: ChatCompletion;
    again: ChatCompletion;
    echo: Completion;
    plain: Completion;
    errors: Record<string, string>;
  };
  expect(r.two.choices.map((c) => c.index)).toEqual([0, 1]);
  expect(r.two.choices[0]!.message.content).not.toBe(r.two.choices[1]!.message.content);
  expect(r.again.choices.map((c) => c.message.content)).toEqual(r.two.choices.map((c) => c.message.content));
  expect(r.two.usage!.completion_tokens).toBeGreaterThan(8);
  expect(r.echo.choices[0]!.text).toBe(`def f(x):${r.plain.choices[0]!.text}`);
  expect(r.errors.streamN).toBe('StreamingCountError: When streaming, `n` cannot be > 1.');
  expect(r.errors.topLogprobs).toBe('DependencyError: top_logprobs requires logprobs to be true.');
  expect(r.errors.topLogprobsRange).toBe('RangeError: Make sure 0 < top_logprobs <= 5. Got 9');
  expect(r.errors.bias).toBe('RangeError: Make sure -100 < logit_bias <= 100. Got 101 for tokenID 5');
  expect(r.errors.schemaType).toBe(
    'InvalidResponseFormatError: JSON schema is only supported with `json_object` response format.',
  );
  expect(r.errors.grammar).toMatch(/^InvalidResponseFormatGrammarError: When ResponseFormat.type is `grammar`/);
  expect(r.errors.tools).toMatch(
    /^UnsupportedModelIdError: .* is not supported for ChatCompletionRequest.tools. Currently, models that support function calling are: /,
  );
  expect(r.errors.streamOptions).toBe('InvalidStreamOptionsError: Only specify stream_options when stream=True.');
  expect(r.errors.seed).toBe('SeedTypeError: `seed` should be an integer, but got 1.5');
});
