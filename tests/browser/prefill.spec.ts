/**
 * Long prompts (issue 15): the prefill batch comes from the device's limits and memory, not a cap of
 * 64; a long prefill reports its progress through the engine API (worker and web-llm-shaped client);
 * interruptGenerate(), unload() and a new request stop it within one batch; the KV cache keeps what was
 * fed, and the next request reuses it. The chat shows the context the device gives and a long prompt's
 * progress.
 */
import type { Page } from '@playwright/test';
import { chatWithFixture, send, setMaxTokens, waitForReply } from './support/chat';
import { expect, test } from './support/fixtures';
import { openHarness } from './support/model';

const MODEL = 'models/ds2-pub-q4_0.gguf';
/** A prompt of `n` ids after BOS (497): the fixture's ordinary tokens. */
const prompt = (n: number) => [497, ...Array.from({ length: n - 1 }, (_, i) => (i * 37) % 497)];

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

test('the prefill batch comes from the device, not a cap of 64: a 600-token prompt is one step', async ({
  page,
  fixtureServer,
}) => {
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(
    async ({ id, ids }) => {
      const h = window.liteCoderHarness;
      const e = h.engine();
      const loaded = await e.loadModel(
        id,
        {},
        h.Comlink.proxy(() => {}),
      );
      const reports: [number, number][] = [];
      const out = await e.generateTokens(
        { promptIds: ids, maxTokens: 1, stopIds: [] },
        undefined,
        h.Comlink.proxy((d: number, t: number) => {
          reports.push([d, t]);
        }),
      );
      return { loaded, reports, ids: out.ids };
    },
    { id, ids: prompt(600) },
  );
  expect(r.loaded.maxBatch).toBeGreaterThanOrEqual(600);
  expect(r.loaded.maxBatch % 64).toBe(0);
  expect(r.loaded.kvType).toBe('F16');
  expect(r.reports).toEqual([
    [0, 600],
    [600, 600],
  ]);
  expect(r.ids).toHaveLength(1);
});

test('a long prefill reports tokens processed / total after each batch, through the worker and the client', async ({
  page,
  fixtureServer,
}) => {
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(
    async ({ id, ids }) => {
      const h = window.liteCoderHarness;
      const e = h.engine();
      await e.loadModel(
        id,
        { maxBatch: 64 },
        h.Comlink.proxy(() => {}),
      );
      const worker: [number, number][] = [];
      await e.generateTokens(
        { promptIds: ids, maxTokens: 1, stopIds: [] },
        undefined,
        h.Comlink.proxy((d: number, t: number) => {
          worker.push([d, t]);
        }),
      );
      // through the web-llm-shaped client: a chat whose prompt is long, on a fresh load (nothing reused)
      const lc = new h.LiteCoderEngine();
      await lc.reload(id, { maxBatch: 64 });
      const client: { done: number; total: number }[] = [];
      lc.setPrefillProgressCallback((p) => client.push(p));
      const reply = await lc.chat.completions.create({
        messages: [{ role: 'user', content: 'x '.repeat(150) }],
        max_tokens: 2,
        temperature: 0,
      });
      return { worker, client, promptTokens: reply.usage!.prompt_tokens };
    },
    { id, ids: prompt(300) },
  );
  // 300 tokens in steps of 64: before the first, after each of the first four, and the end
  expect(r.worker).toEqual([
    [0, 300],
    [64, 300],
    [128, 300],
    [192, 300],
    [256, 300],
    [300, 300],
  ]);
  expect(r.client.length).toBeGreaterThanOrEqual(3);
  expect(r.client[0]).toEqual({ done: 0, total: r.promptTokens });
  expect(r.client.at(-1)).toEqual({ done: r.promptTokens, total: r.promptTokens });
  for (let i = 1; i < r.client.length; i++) expect(r.client[i]!.done).toBeGreaterThan(r.client[i - 1]!.done);
});

test('interruptGenerate, a new request and unload stop a long prefill within one batch', async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(180_000);
  const id = await imported(page, `${fixtureServer.url}/${MODEL}`);
  const r = await page.evaluate(
    async ({ id, ids }) => {
      const h = window.liteCoderHarness;
      const e = h.engine();
      await e.loadModel(
        id,
        { maxBatch: 64 },
        h.Comlink.proxy(() => {}),
      );
      /** Start a request on `ids` and run `stop` when its prefill first reports progress past 0. */
      const stopAfterOneBatch = async (stop: () => unknown) => {
        const reports: number[] = [];
        let stopped = false;
        const out = await e
          .generateTokens(
            { promptIds: ids, maxTokens: 4, stopIds: [] },
            undefined,
            h.Comlink.proxy((d: number) => {
              reports.push(d);
              if (d > 0 && !stopped) {
                stopped = true;
                void stop();
              }
            }),
          )
          .then(
            (x) => ({ finish: x.finishReason, ids: x.ids.length }),
            (err: Error) => ({ finish: err.name, ids: -1 }),
          );
        return { ...out, reports };
      };
      const interrupted = await stopAfterOneBatch(() => e.interruptGenerate());
      // The cache holds what was fed: the same prompt again computes only the rest.
      const resumed = await e.generateTokens({ promptIds: ids, maxTokens: 1, stopIds: [] });
      await e.resetChat();
      let next: Promise<number> | undefined;
      const superseded = await stopAfterOneBatch(() => {
        next = e.generateTokens({ promptIds: ids.slice(0, 10), maxTokens: 1, stopIds: [] }).then((x) => x.ids.length);
      });
      const nextIds = await next!;
      await e.resetChat();
      const unloaded = await stopAfterOneBatch(() => e.unloadModel());
      return {
        interrupted,
        resumed: resumed.reusedTokens,
        superseded,
        nextIds,
        unloaded,
        loaded: (await e.loadedModel()) ?? null,
      };
    },
    { id, ids: prompt(1000) },
  );
  for (const x of [r.interrupted, r.superseded, r.unloaded]) {
    expect(x.finish).toBe('abort');
    expect(x.ids).toBe(0);
    // stopped after the batch in progress when the stop came: at most two reports past 0, and far from 1,000
    expect(x.reports.filter((d) => d > 0).length).toBeLessThanOrEqual(2);
    expect(Math.max(...x.reports)).toBeLessThanOrEqual(128);
  }
  expect(r.resumed).toBeGreaterThanOrEqual(64);
  expect(r.nextIds).toBe(1);
  expect(r.loaded).toBeNull();
});

test('the chat says how much context this device gives, and shows a long prompt being read', async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(180_000);
  await chatWithFixture(page, `${fixtureServer.url}/${MODEL}`);
  const context = page.getByTestId('model-context');
  await expect(context).toBeVisible();
  // the fixture's own context (163,840), which the default KV reserve holds on this adapter
  await expect(context).toHaveText(/163,840 tokens/);
  await setMaxTokens(page, 2);
  // a message of about 2,500 tokens: more than one prefill step of the fixture (1,024)
  await send(page, Array.from({ length: 700 }, (_, i) => `w${i % 97}`).join(' '));
  const progress = page.getByTestId('prefill-progress');
  await expect(progress).toBeVisible({ timeout: 60_000 });
  await expect(progress).toHaveText(/Reading the prompt: [\d,]+ of [\d,]+ tokens/);
  await waitForReply(page);
  await expect(progress).toHaveCount(0);
});
