/**
 * The remote engine (src/api/remote-engine.ts) against a real OpenAI-compatible server: llama.cpp
 * through node-llama-cpp on a fixture model (tests/support/openai-server.ts). Streaming, stop strings,
 * abort, fill-in-the-middle, the same greedy text as the in-browser engine, and each failure named, as
 * the server's behaviour produces it.
 */
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fimFixture } from '../support/gguf-edit';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { openHarness } from './support/model';

const F32 = `${FIXTURE_DIR}models/ds2-pub-f32.gguf`;

let server: OpenAiServer;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startOpenAiServer(F32, 'ds2-pub-f32');
});
test.afterAll(async () => {
  await server?.close();
});
test.beforeEach(() => {
  server.faults = {};
  server.requests.length = 0;
});

type Outcome = { text: string; finish: string | null; chunks: number; error?: string; details?: unknown };

/** In the page: one chat request through a RemoteEngine on `settings`, collecting what arrives. */
async function ask(
  page: Page,
  settings: { endpoint: string; apiKey?: string; model?: string },
  req: Record<string, unknown>,
  o: { breakAfter?: number; interruptAfter?: number; returnUnread?: boolean } = {},
): Promise<Outcome> {
  return page.evaluate(
    async ({ settings, req, o }) => {
      const remote = new window.liteCoderHarness.RemoteEngine(settings);
      const out = { text: '', finish: null as string | null, chunks: 0 } as {
        text: string;
        finish: string | null;
        chunks: number;
        error?: string;
        details?: unknown;
      };
      try {
        if (!req.stream) {
          const c = (await remote.chat.completions.create(req as never)) as {
            choices: { message: { content: string }; finish_reason: string }[];
          };
          return { ...out, text: c.choices[0]!.message.content, finish: c.choices[0]!.finish_reason };
        }
        const stream = (await remote.chat.completions.create(req as never)) as unknown as AsyncIterable<{
          choices: { delta: { content?: string }; finish_reason: string | null }[];
        }>;
        if (o.returnUnread) {
          await stream[Symbol.asyncIterator]().return?.(undefined);
          return out;
        }
        for await (const c of stream) {
          out.chunks++;
          out.text += c.choices[0]?.delta.content ?? '';
          out.finish = c.choices[0]?.finish_reason ?? out.finish;
          if (out.chunks === o.interruptAfter) remote.interruptGenerate();
          if (out.chunks === o.breakAfter) break;
        }
      } catch (e) {
        out.error = `${(e as Error).name}: ${(e as Error).message}`;
        out.details = (e as { details?: unknown }).details;
      }
      return out;
    },
    { settings, req, o },
  );
}

const hello = { messages: [{ role: 'user', content: 'hello there' }], max_tokens: 12, temperature: 0 };

test("streams greedy text equal to the in-browser engine's on the same model, with stop strings and usage", async ({
  page,
  fixtureServer,
}) => {
  await openHarness(page);
  const local = await page.evaluate(async (url) => {
    const h = window.liteCoderHarness;
    const m = await h.engine().importModel(
      { kind: 'url', url },
      h.Comlink.proxy(() => {}),
    );
    const lc = new h.LiteCoderEngine();
    await lc.reload(m.id);
    const c = await lc.chat.completions.create({
      messages: [{ role: 'user', content: 'hello there' }],
      max_tokens: 12,
      temperature: 0,
      ignore_eos: true,
    });
    await lc.unload();
    return c.choices[0]!.message.content ?? '';
  }, `${fixtureServer.url}/models/ds2-pub-f32.gguf`);
  const models = await page.evaluate(
    async (endpoint) => new window.liteCoderHarness.RemoteEngine({ endpoint }).models.list(),
    server.url,
  );
  expect(models.map((m) => m.id)).toEqual(['ds2-pub-f32']);
  const streamed = await ask(page, { endpoint: server.url }, { ...hello, stream: true });
  expect(streamed.error).toBeUndefined();
  expect(streamed.chunks).toBeGreaterThan(2);
  // our engine's reply drops the space its first token carries (llama.cpp's server keeps it)
  expect(streamed.text.replace(/^ /, '')).toBe(local);
  const whole = await ask(page, { endpoint: server.url }, hello);
  expect(whole.text).toBe(streamed.text);
  // a stop string: the text ends before it, and the server said why
  const cut = streamed.text.slice(3, 6);
  const stopped = await ask(page, { endpoint: server.url }, { ...hello, stream: true, stop: [cut] });
  expect(stopped.text).toBe(streamed.text.slice(0, streamed.text.indexOf(cut)));
  expect(stopped.finish).toBe('stop');
  // the endpoint's model filled in for the request
  expect(
    server.requests
      .filter((r) => r.method === 'POST')
      .every((r) => (r.body as { model: string }).model === 'ds2-pub-f32'),
  ).toBe(true);
});

test('interruptGenerate, breaking out, and a stream returned unread end the answer early; the server sees the request end', async ({
  page,
}) => {
  await openHarness(page);
  const long = { ...hello, max_tokens: 60, stream: true };
  /** the last POST's outcome on the server, once its generation is over */
  const lastOutcome = async () => {
    await expect
      .poll(() => server.requests.filter((r) => r.method === 'POST').at(-1)?.outcome, { timeout: 30_000 })
      .toBeDefined();
    return server.requests.filter((r) => r.method === 'POST').at(-1)!.outcome!;
  };
  // 20 ms a chunk: the reader's stop reaches the server while it is still generating
  server.faults = { chunkDelayMs: 20 };
  const full = await ask(page, { endpoint: server.url }, long);
  const whole = await lastOutcome();
  expect(whole.clientClosed).toBe(false);
  const interrupted = await ask(page, { endpoint: server.url }, long, { interruptAfter: 3 });
  expect(interrupted.error).toBeUndefined();
  expect(interrupted.finish).toBe('abort'); // as the device engine says it, not a quiet "stop"
  expect(interrupted.chunks).toBeLessThan(full.chunks);
  expect(full.text.startsWith(interrupted.text)).toBe(true);
  const cut = await lastOutcome();
  expect(cut.clientClosed).toBe(true);
  expect(cut.tokens).toBeLessThan(whole.tokens);
  const broken = await ask(page, { endpoint: server.url }, long, { breakAfter: 2 });
  expect(broken.chunks).toBe(2);
  expect((await lastOutcome()).clientClosed).toBe(true);
  // return() before the first read (an async generator's own return() would skip its cleanup)
  const unread = await ask(page, { endpoint: server.url }, long, { returnUnread: true });
  expect(unread.error).toBeUndefined();
  const dropped = await lastOutcome();
  expect(dropped.clientClosed).toBe(true);
  expect(dropped.tokens).toBeLessThan(whole.tokens);
  // interrupted before the answer's first byte: an empty answer that says so, not an AbortError
  const early = await page.evaluate(
    async ({ endpoint, req }) => {
      const remote = new window.liteCoderHarness.RemoteEngine({ endpoint });
      await remote.reload('');
      const pending = remote.chat.completions.create(req as never) as unknown as Promise<{
        choices: { message: { content: string }; finish_reason: string }[];
      }>;
      remote.interruptGenerate();
      return pending.then(
        (c) => c.choices[0]!.finish_reason,
        (e: Error) => `${e.name}: ${e.message}`,
      );
    },
    { endpoint: server.url, req: { ...hello, max_tokens: 60 } },
  );
  expect(early).toBe('abort');
});

test('fill in the middle through /v1/completions with a suffix', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-fim-'));
  const path = join(dir, 'fim.gguf');
  writeFileSync(path, fimFixture());
  const fim = await startOpenAiServer(path, 'fim');
  try {
    await openHarness(page);
    const r = await page.evaluate(async (endpoint) => {
      const remote = new window.liteCoderHarness.RemoteEngine({ endpoint });
      const c = await remote.completions.create({
        prompt: 'def add(a, b):\n    ',
        suffix: '\n\nprint(add(1, 2))',
        max_tokens: 6,
        temperature: 0,
      });
      return { text: c.choices[0]!.text, finish: c.choices[0]!.finish_reason };
    }, fim.url);
    expect(typeof r.text).toBe('string');
    const body = fim.requests.find((q) => q.method === 'POST' && q.path === '/v1/completions')!.body as {
      suffix: string;
      prompt: string;
    };
    expect(body.suffix).toBe('\n\nprint(add(1, 2))');
    expect(body.prompt).toBe('def add(a, b):\n    ');
  } finally {
    await fim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each failure gets its own name and a clear message; a broken stream keeps what arrived', async ({ page }) => {
  await openHarness(page);
  // a port nothing listens on
  const closed = await new Promise<number>((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
  const unreachable = await ask(page, { endpoint: `http://127.0.0.1:${closed}/v1` }, hello);
  expect(unreachable.error).toMatch(/^RemoteUnreachableError: 127\.0\.0\.1:\d+ cannot be reached/);

  server.faults = { noCors: true };
  expect((await ask(page, { endpoint: server.url }, hello)).error).toMatch(
    /^RemoteCorsError: .*does not allow this page .* to read its answers/,
  );

  server.faults = { apiKey: 'sk-right' };
  server.requests.length = 0;
  expect((await ask(page, { endpoint: server.url, apiKey: 'sk-wrong' }, hello)).error).toMatch(
    /^RemoteAuthError: .*\(401\): check the API key\. The server said: Invalid API key\./,
  );
  expect((await ask(page, { endpoint: server.url, apiKey: 'sk-right' }, hello)).error).toBeUndefined();
  // the key went with every request (the model list, then the answer), and only to this server
  expect(server.requests.filter((r) => r.method !== 'OPTIONS').map((r) => `${r.method} ${r.authorization}`)).toEqual([
    'GET Bearer sk-wrong',
    'GET Bearer sk-right',
    'POST Bearer sk-right',
  ]);

  server.faults = {};
  expect((await ask(page, { endpoint: server.url, model: 'no-such-model' }, hello)).error).toMatch(
    /^RemoteNotFoundError: .* has no model "no-such-model" \(404\)/,
  );
  const missing = await page.evaluate(
    async (endpoint) =>
      new window.liteCoderHarness.RemoteEngine({ endpoint }).reload('no-such-model').then(
        () => 'ok',
        (e: Error) => `${e.name}: ${e.message}`,
      ),
    server.url,
  );
  expect(missing).toMatch(/^RemoteNotFoundError: The server has no model "no-such-model"; it has ds2-pub-f32\./);

  server.faults = { rateLimitS: 7 };
  const limited = await ask(page, { endpoint: server.url }, hello);
  expect(limited.error).toMatch(/^RemoteRateLimitError: .*\(429\): try again in 7 s/);
  expect(limited.details).toEqual({ retryAfterS: 7 });

  server.faults = { fail500: true };
  expect((await ask(page, { endpoint: server.url }, hello)).error).toMatch(
    /^RemoteServerError: .* failed \(500\)\. The server said: The server had an error/,
  );

  // an error the server sends inside the stream (vLLM's way): its message, not a TypeError
  server.faults = { errorAfterChunks: 2 };
  const failed = await ask(page, { endpoint: server.url }, { ...hello, max_tokens: 30, stream: true });
  expect(failed.chunks).toBe(2);
  expect(failed.error).toMatch(
    /^RemoteStreamError: .* reported an error during the answer: CUDA out of memory\. What arrived is kept\./,
  );

  server.faults = { breakAfterChunks: 3 };
  const broken = await ask(page, { endpoint: server.url }, { ...hello, max_tokens: 30, stream: true });
  expect(broken.chunks).toBe(3);
  expect(broken.text.length).toBeGreaterThan(0);
  expect(broken.error).toMatch(
    /^RemoteStreamError: The answer from .* (broke off|ended before it was complete).*What arrived is kept\./,
  );
});

test('the in-page API answers from a server: CreateMLCEngine(model, { endpoint }) (a Lite Coder extension)', async ({
  page,
}) => {
  // A page served by the app's server (a page Playwright fulfils has no address space, and Chromium
  // then keeps it from loopback servers), importing the built module as a developer's page does.
  await openHarness(page);
  const r = await page.evaluate(async (endpoint) => {
    const api = (await import(
      /* @vite-ignore */ `${location.origin}/lite-coder.js`
    )) as typeof import('../../src/api/index');
    const progress: string[] = [];
    const engine = await api.CreateMLCEngine('ds2-pub-f32', {
      endpoint,
      initProgressCallback: (p) => progress.push(p.text),
    });
    let text = '';
    for await (const c of await engine.chat.completions.create({
      messages: [{ role: 'user', content: 'hello there' }],
      max_tokens: 6,
      temperature: 0,
      stream: true,
    })) {
      text += c.choices[0]?.delta.content ?? '';
    }
    const missing = await api.CreateMLCEngine('no-such-model', { endpoint }).then(
      () => 'ok',
      (e: Error) => e.name,
    );
    return { text, progress, missing, cached: await caches.keys() };
  }, server.url);
  expect(r.text.length).toBeGreaterThan(0);
  expect(r.progress.at(-1)).toContain('ds2-pub-f32');
  expect(r.missing).toBe('RemoteNotFoundError');
  expect(r.cached).toEqual([]); // nothing of the API's traffic in Cache Storage
});
