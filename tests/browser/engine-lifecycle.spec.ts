/**
 * The engine's lifecycle under overlapping calls (issue 14, items 2-5), through the web-llm-shaped
 * client on the test worker: breaking out of a stream stops its generation; overlapping loads and an
 * unload during a load end with defined outcomes and leak no GPU device; resetChat during a stream
 * ends it cleanly; a chat's second turn reuses the first turn's KV cache, reply included.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { Tokenizer } from '../../workers/model/tokenizer';
import { tokenizerDataFromMetadata } from '../../workers/model/tokenizer-from-gguf';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { openHarness } from './support/model';

const MODEL = 'models/ds2-pub-q4_0.gguf';

/** Import the fixture into the test worker and return its id (not loaded). */
async function imported(page: Page, url: string): Promise<string> {
  await openHarness(page);
  return page.evaluate(async (url) => {
    const h = window.liteCoderHarness;
    return (
      await h.engine().importModel(
        { kind: 'url', url },
        h.Comlink.proxy(() => {}),
      )
    ).id;
  }, url);
}

test('breaking out of a stream stops its generation: the next request does not wait behind it', async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(180_000);
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(async (id) => {
    const lc = new window.liteCoderHarness.LiteCoderEngine();
    await lc.reload(id);
    const user = [{ role: 'user' as const, content: 'count to a thousand' }];
    const timed = async (max_tokens: number) => {
      const t0 = performance.now();
      const r = await lc.chat.completions.create({ messages: user, max_tokens, temperature: 0, ignore_eos: true });
      return { ms: performance.now() - t0, tokens: r.usage!.completion_tokens };
    };
    await timed(2); // warm
    const two = await timed(2);
    const forty = await timed(40);
    const stream = await lc.chat.completions.create({
      messages: user,
      max_tokens: 500,
      temperature: 0,
      ignore_eos: true,
      stream: true,
    });
    let chunks = 0;
    for await (const _ of stream) {
      chunks++;
      break;
    }
    const after = await timed(2);
    // return() before the first read ends the request too (an async generator's own return() would not)
    const unread = await lc.chat.completions.create({
      messages: user,
      max_tokens: 500,
      temperature: 0,
      ignore_eos: true,
      stream: true,
    });
    await unread[Symbol.asyncIterator]().return?.(undefined);
    const afterUnread = await timed(2);
    return { two, forty, after, afterUnread, chunks };
  }, id);
  expect(r.chunks).toBe(1);
  expect(r.forty.tokens).toBe(40);
  expect(r.after.tokens).toBe(2);
  // A token costs about forty.ms / 40; had the broken stream run on, the request would have waited
  // for about 500 of them. Allow 20 tokens' worth of slack for the one in flight and the noise.
  const perToken = r.forty.ms / 40;
  expect(r.after.ms, `after ${r.after.ms} ms, a token ${perToken} ms, two tokens ${r.two.ms} ms`).toBeLessThan(
    r.two.ms + 20 * perToken,
  );
  expect(r.afterUnread.ms, `after an unread stream ${r.afterUnread.ms} ms, a token ${perToken} ms`).toBeLessThan(
    r.two.ms + 20 * perToken,
  );
});

test('overlapping loads: the later wins, the earlier rejects with AbortError; unload cancels a load; no GPU device leaks', async ({
  page,
  fixtureServer,
}) => {
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(async (id) => {
    const h = window.liteCoderHarness;
    const e = h.engine();
    const name = (p: Promise<unknown>) =>
      p.then(
        () => 'loaded',
        (err: Error) => err.name,
      );
    // A second load starts while the first is uploading weights (its first progress report).
    let second: Promise<string> | undefined;
    let firstOutcome = '';
    const startedSecond = new Promise<void>((resolve) => {
      void e
        .loadModel(
          id,
          {},
          h.Comlink.proxy(() => {
            if (!second) {
              second = name(
                e.loadModel(
                  id,
                  {},
                  h.Comlink.proxy(() => {}),
                ),
              );
              resolve();
            }
          }),
        )
        .then(
          () => 'loaded',
          (err: Error) => err.name,
        )
        .then((v) => {
          firstOutcome = v;
        });
    });
    await startedSecond;
    const secondOutcome = await second!;
    while (!firstOutcome) await new Promise((r) => setTimeout(r, 10));
    const afterOverlap = await e.loadedModel();
    // An unload while a load is uploading: the load is cancelled and nothing stays loaded.
    let unloaded: Promise<void> | undefined;
    const third = await new Promise<string>((resolve) => {
      void name(
        e.loadModel(
          id,
          {},
          h.Comlink.proxy(() => {
            unloaded ??= e.unloadModel();
          }),
        ),
      ).then(resolve);
    });
    await unloaded;
    const afterUnload = await e.loadedModel();
    const counts = await e.deviceCounts();
    return {
      firstOutcome,
      secondOutcome,
      afterOverlap: afterOverlap?.modelId,
      third,
      afterUnload: afterUnload?.modelId ?? null,
      counts,
    };
  }, id);
  expect(r.firstOutcome).toBe('AbortError');
  expect(r.secondOutcome).toBe('loaded');
  expect(r.afterOverlap).toBe(id);
  expect(r.third).toBe('AbortError');
  expect(r.afterUnload).toBeNull();
  expect(r.counts.created).toBeGreaterThanOrEqual(3);
  expect(r.counts.destroyed).toBe(r.counts.created);
});

test('resetChat during a stream ends it with finish reason "abort" and a prefix of the text; the next request starts fresh', async ({
  page,
  fixtureServer,
}) => {
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(async (id) => {
    const lc = new window.liteCoderHarness.LiteCoderEngine();
    await lc.reload(id);
    const req = {
      messages: [{ role: 'user' as const, content: 'tell me a long story' }],
      max_tokens: 40,
      temperature: 0,
      ignore_eos: true,
      stream: true as const,
    };
    const read = async (resetAt?: number) => {
      let text = '';
      let finish: string | null = null;
      let n = 0;
      for await (const c of await lc.chat.completions.create(req)) {
        text += c.choices[0]?.delta.content ?? '';
        finish = c.choices[0]?.finish_reason ?? finish;
        if (++n === resetAt) void lc.resetChat();
      }
      return { text, finish };
    };
    const whole = await read();
    await lc.resetChat();
    const reset = await read(8);
    const again = await read();
    return { whole, reset, again };
  }, id);
  expect(r.whole.finish).toBe('length');
  expect(r.reset.finish).toBe('abort');
  expect(r.whole.text.startsWith(r.reset.text)).toBe(true);
  expect(r.reset.text.length).toBeLessThan(r.whole.text.length);
  expect(r.again).toEqual(r.whole);
});

test('a reply starts without the space its first token carries, and the next turn reuses the cache through the reply', async ({
  page,
  fixtureServer,
}) => {
  const file = readFileSync(`${FIXTURE_DIR}${MODEL}`);
  const tok = new Tokenizer(tokenizerDataFromMetadata(parseGgufHeader(file, file.byteLength).metadata));
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  // A question whose greedy answer's first token starts with a space (most do; find one).
  const questions = ['hi', 'what is a list', 'say something', 'tell me about the sea', 'how are you', 'name a colour'];
  const firstTokens = await page.evaluate(
    async ({ id, questions }) => {
      const h = window.liteCoderHarness;
      const e = h.engine();
      await e.loadModel(
        id,
        {},
        h.Comlink.proxy(() => {}),
      );
      const out: number[] = [];
      for (const q of questions) {
        const ids = await e.encodePrompt(id, { kind: 'chat', messages: [{ role: 'user', content: q }] });
        out.push((await e.generateTokens({ promptIds: ids, maxTokens: 1, stopIds: [] })).ids[0]!);
      }
      return out;
    },
    { id, questions },
  );
  const q = questions[firstTokens.findIndex((t) => tok.decode([t]).startsWith(' '))];
  expect(q, 'some question gets a reply whose first token starts with a space').toBeDefined();

  const r = await page.evaluate(
    async ({ id, q }) => {
      const h = window.liteCoderHarness;
      const lc = new h.LiteCoderEngine();
      await lc.reload(id);
      const turn1 = [{ role: 'user' as const, content: q! }];
      const a1 = await lc.chat.completions.create({ messages: turn1, max_tokens: 12, temperature: 0 });
      const reply = a1.choices[0]!.message.content ?? '';
      const turn2 = [
        ...turn1,
        { role: 'assistant' as const, content: reply },
        { role: 'user' as const, content: 'and then?' },
      ];
      const a2 = await lc.chat.completions.create({ messages: turn2, max_tokens: 4, temperature: 0 });
      const extra = a2.usage!.extra as unknown as { prompt_tokens_reused: number };
      return {
        reply,
        p1: a1.usage!.prompt_tokens,
        c1: a1.usage!.completion_tokens,
        reused2: extra.prompt_tokens_reused,
      };
    },
    { id, q },
  );
  expect(r.reply.startsWith(' ')).toBe(false);
  expect(r.c1).toBeGreaterThan(1);
  // usage.prompt_tokens counts what a request computed (as web-llm counts it); the rest came from the cache
  expect(r.reused2).toBeGreaterThanOrEqual(r.p1 + r.c1 - 1);
});
