/**
 * Conformance with @mlc-ai/web-llm: page code written against web-llm's documented API
 * (tests/conformance/webllm/, one module per web-llm example program) runs on dist/lite-coder.js with
 * only the import and the model id changed. The model id is an app-config record (as web-llm's
 * examples pass `appConfig`) whose file is a fixture model on a second origin: the first reload()
 * imports it, as web-llm downloads a model on first use.
 */
import type { Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatCompletion, CompletionUsage, InitProgressReport, MLCEngineInterface } from '@mlc-ai/web-llm';
import type { LatencyBreakdown } from '../../workers/engine/engine';
import type { LoadedModel } from '../../workers/api';
import { expect, test } from './support/fixtures';

const MODEL = 'DeepSeek-Coder-V2-Lite-Fixture-Q4_0';
const STATS = /^prefill: \d+\.\d{4} tokens\/sec, decoding: \d+\.\d{4} tokens\/sec$/;
/** The token the example's logit processor forces (any id of the fixture's 512 that is not EOS). */
const FAVOURITE = 5;

type Usage = CompletionUsage & {
  extra: CompletionUsage['extra'] & { prompt_tokens_reused: number; latencyBreakdown?: LatencyBreakdown };
};

/** The engine a pattern leaves in `globalThis.engine`: web-llm's interface, and Lite Coder's loadedModel(). */
declare global {
  interface Window {
    engine: MLCEngineInterface & { loadedModel(): Promise<LoadedModel | undefined> };
  }
}

/** The in-page module, as the tests import it in the page (its URL is not a module TypeScript knows). */
type Module = typeof import('../../src/api/index');
const LITE_CODER = '/lite-coder.js';

/** web-llm's AppConfig with one record: the fixture model, by URL. */
function appConfig(fixtureUrl: string) {
  const model = `${fixtureUrl}/models/ds2-pub-q4_0.gguf`;
  return { model_list: [{ model, model_id: MODEL, model_lib: 'lite-coder:deepseek2-webgpu' }] };
}

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`/webllm/index.html${query}`);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
}

/** Runs `run(...args)` of tests/conformance/webllm/<name>.js in the page. */
function runPattern<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    async ({ name, args }) => {
      const mod = (await import(`/webllm/${name}.js`)) as { run: (...a: unknown[]) => Promise<unknown> };
      return mod.run(...args);
    },
    { name, args },
  ) as Promise<T>;
}

/** web-llm's ModelNotLoadedError for a request named `what`. */
const notLoaded = (what: string) =>
  `ModelNotLoadedError: Model not loaded before trying to complete ${what}. ` +
  'Please ensure you have called MLCEngine.reload(model) to load the model before initiating APIs, or initialize your engine using ' +
  'CreateMLCEngine() with a valid model configuration.';

/** A Lite Coder addition of the engine the pattern left in `globalThis.engine`. */
function loadedModel(page: Page): Promise<LoadedModel | undefined> {
  return page.evaluate(() => window.engine.loadedModel());
}

test('get-started: CreateMLCEngine imports an app-config model on first use', async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    reports: InitProgressReport[];
    reply: ChatCompletion;
    message: string;
    stats: string;
    vendor: string;
    maxBinding: number;
    progressCallbackKept: boolean;
  }>(page, 'get-started', MODEL, appConfig(fixtureServer.url), { context_window_size: 100 });

  const texts = r.reports.map((x) => x.text);
  expect(texts.some((t) => t.startsWith(`Fetching ${MODEL}`))).toBe(true);
  expect(texts.some((t) => t.startsWith('Loading weights onto the GPU'))).toBe(true);
  expect(r.reports.at(-1)!.progress).toBe(1);
  expect(r.reports.at(-1)!.text).toMatch(/^Finish loading on WebGPU - /);
  for (const x of r.reports) expect(x.progress).toBeGreaterThanOrEqual(0);
  expect(r.progressCallbackKept).toBe(true);

  expect(r.reply.object).toBe('chat.completion');
  expect(r.reply.model).toBe(MODEL);
  expect(r.reply.usage!.prompt_tokens).toBeGreaterThan(0);
  expect(r.reply.usage!.completion_tokens).toBeGreaterThan(0);
  expect(r.message).toBe(r.reply.choices[0]!.message.content);
  expect(r.stats).toMatch(STATS);
  expect(r.vendor).toBe('google'); // SwiftShader's adapter
  expect(r.maxBinding).toBeGreaterThanOrEqual(128 * 1024 * 1024);
  // chatOpts.context_window_size sized the context.
  expect((await loadedModel(page))!.contextLength).toBe(100);
});

test('streaming: deltas, usage, getMessage, the chatCompletion/completion aliases', async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    reply: string;
    fullReply: string;
    usage: Usage;
    models: string[];
    chunkCount: number;
    whole: ChatCompletion;
    streamedText: string;
    text: { choices: { text: string }[]; model: string };
    textMessage: string;
  }>(page, 'streaming', MODEL, appConfig(fixtureServer.url));
  expect(r.chunkCount).toBeGreaterThan(2);
  expect(r.reply.length).toBeGreaterThan(0);
  expect(r.fullReply).toBe(r.reply);
  expect(r.usage.completion_tokens).toBeGreaterThan(0);
  expect(r.usage.completion_tokens).toBeLessThanOrEqual(12);
  expect(r.models).toEqual([MODEL]);
  expect(r.whole.choices[0]!.message.content).toBe(r.reply);
  expect(r.streamedText).toBe(r.text.choices[0]!.text);
  expect(r.text.model).toBe(MODEL);
  expect(r.textMessage).toBe(r.text.choices[0]!.text);
});

for (const streamSecond of [false, true]) {
  const how = streamSecond ? ' (streamed)' : '';
  test(`multi-round-chat${how}: round two prefills little (web-llm's rule)`, async ({ page, fixtureServer }) => {
    await open(page);
    const r = await runPattern<{
      usage0: Usage;
      usage1: Usage;
      usage2: Usage;
      replyMessage0: string;
      replyMessage1: string;
      stats: string;
    }>(page, 'multi-round-chat', MODEL, appConfig(fixtureServer.url), streamSecond);
    // The pattern throws unless usage1.prompt_tokens <= usage0.prompt_tokens; ours computes only the new turn.
    expect(r.usage1.prompt_tokens).toBeLessThan(r.usage0.prompt_tokens);
    expect(r.usage1.extra.prompt_tokens_reused).toBeGreaterThanOrEqual(r.usage0.prompt_tokens);
    // Another system prompt: the history is computed again.
    expect(r.usage2.prompt_tokens).toBeGreaterThan(r.usage0.prompt_tokens);
    expect(r.replyMessage0.length).toBeGreaterThan(0);
    expect(r.stats).toMatch(STATS);
  });
}

test('seed-to-reproduce: one seed, the same n = 3 replies at temperature 1.2, streamed or not', async ({
  page,
  fixtureServer,
}) => {
  await open(page);
  const r = await runPattern<{
    first: string;
    second: string;
    message0: string;
    streamed: string;
    others: string[];
    choices: string[];
  }>(page, 'seed-to-reproduce', MODEL, appConfig(fixtureServer.url));
  expect(r.first.length).toBeGreaterThan(0);
  expect(r.second).toBe(r.first);
  expect(r.choices).toHaveLength(3);
  expect(new Set(r.choices).size).toBeGreaterThan(1);
  expect(r.message0).toBe(r.choices[2]); // getMessage(): the last reply, as web-llm's
  expect(r.streamed).toBe(r.first);
  expect(r.others.some((o) => o !== r.first)).toBe(true);
});

test('abort-reload: unload() during reload() cancels it; later loads work', async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    outcome: string;
    unloaded: boolean;
    afterAbort: string;
    texts: string[];
    reply: string;
    cached: boolean;
  }>(page, 'abort-reload', MODEL, appConfig(fixtureServer.url));
  expect(r.unloaded).toBe(true);
  expect(r.outcome).toBe('AbortError');
  expect(r.afterAbort).toBe('ModelNotLoadedError');
  expect(typeof r.reply).toBe('string');
  expect(r.cached).toBe(true);
});

test('cache-usage: hasModelInCache, delete helpers, fetched again after deletion', async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    before: boolean;
    cached: boolean;
    afterDelete: boolean;
    firstLoad: string[];
    secondLoad: string[];
    thirdLoad: string[];
    replies: string[];
    afterReload: boolean;
  }>(page, 'cache-usage', MODEL, appConfig(fixtureServer.url));
  const fetched = (texts: string[]) => texts.some((t) => t.startsWith('Fetching'));
  expect(r.before).toBe(false);
  expect(fetched(r.firstLoad)).toBe(true);
  expect(r.cached).toBe(true);
  expect(fetched(r.secondLoad)).toBe(false);
  expect(r.secondLoad.at(-1)).toMatch(/^Finish loading on WebGPU/);
  expect(r.afterDelete).toBe(false);
  expect(fetched(r.thirdLoad)).toBe(true);
  expect(r.replies[1]).toBe(r.replies[0]);
  expect(r.replies[2]).toBe(r.replies[0]);
  expect(r.afterReload).toBe(true);
  // The model store holds one copy.
  const stored = await page.evaluate(async (url) => ((await import(url)) as Module).listStoredModels(), LITE_CODER);
  expect(stored).toHaveLength(1);
});

for (const useWebWorker of [false, true]) {
  const where = useWebWorker ? "the handler's registry, in a worker" : "MLCEngine's registry";
  test(`logit-processor (${where}): forwardTokensAndSample, resetState, chat`, async ({ page, fixtureServer }) => {
    await open(page);
    const r = await runPattern<{
      rounds: number[][];
      stats: string;
      usage: Usage;
      processorState: { tokenSequence: number[]; calls: number; resets: number };
    }>(page, 'logit-processor', MODEL, appConfig(fixtureServer.url), useWebWorker, FAVOURITE);
    expect(r.rounds).toEqual([Array(8).fill(FAVOURITE), Array(8).fill(FAVOURITE)]);
    // Reset after round 0; then round 1's 8 tokens and the chat reply's 4.
    expect(r.processorState.resets).toBe(1);
    expect(r.processorState.tokenSequence).toEqual(Array(12).fill(FAVOURITE));
    expect(r.processorState.calls).toBe(20);
    expect(r.usage.completion_tokens).toBe(4);
    expect(r.stats).toMatch(STATS);
    // resetChat() and forwardTokensAndSample again.
    const free = await page.evaluate(async () => {
      const e = window.engine;
      await e.resetChat();
      const out: number[] = [];
      let next = await e.forwardTokensAndSample([42], true);
      for (let i = 0; i < 7; i++) {
        out.push(next);
        next = await e.forwardTokensAndSample([next], false);
      }
      return out;
    });
    // The processor stays registered for the model: it still picks every token.
    expect(free).toEqual(Array(7).fill(FAVOURITE));
  });
}

test("forwardTokensAndSample without a processor samples the model's logits", async ({ page, fixtureServer }) => {
  await open(page);
  const tokens = await page.evaluate(
    async ({ url, model, appConfig }) => {
      const webllm = (await import(url)) as Module;
      const engine = await webllm.CreateMLCEngine(model, { appConfig });
      const out: number[] = [];
      let next = await engine.forwardTokensAndSample([42], true);
      for (let i = 0; i < 8; i++) {
        out.push(next);
        next = await engine.forwardTokensAndSample([next], false);
      }
      return out;
    },
    { url: LITE_CODER, model: MODEL, appConfig: appConfig(fixtureServer.url) },
  );
  expect(tokens).toHaveLength(8);
  for (const t of tokens) expect(t >= 0 && t < 512).toBe(true);
  expect(tokens.every((t) => t === FAVOURITE)).toBe(false);
});

test("embeddings: embeddings.create and embedding() answer web-llm's errors", async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<Record<string, string>>(page, 'embeddings', MODEL, appConfig(fixtureServer.url));
  expect(r.beforeLoad).toBe(notLoaded('EmbeddingCreateParams'));
  const wrongPipeline =
    'IncorrectPipelineLoadedError: EmbeddingCreateParams expects model to be loaded with ' +
    `EmbeddingPipeline. However, ${MODEL} is not loaded with this pipeline.`;
  expect(r.create).toBe(wrongPipeline);
  expect(r.embedding).toBe(wrongPipeline);
  expect(r.otherModel).toMatch(
    /^SpecifiedModelNotFoundError: Specified model snowflake-arctic-embed-m-q0f32-MLC-b4 for EmbeddingCreateParams is not /,
  );
});

test("web-worker: the engine runs in the page's worker, under its handler", async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    notLoaded: string;
    reports: InitProgressReport[];
    reply: string;
    usage: Usage;
    whole: string;
    model: string;
    message: string;
    stats: string;
    vendor: string;
    loaded: LoadedModel;
  }>(page, 'web-worker', MODEL, appConfig(fixtureServer.url));
  expect(r.notLoaded).toBe(
    'WorkerEngineModelNotLoadedError: WebWorkerMLCEngine is not loaded with a model. Did you call `engine.reload()`?',
  );
  expect(r.reports.at(-1)!.text).toMatch(/^Finish loading on WebGPU/);
  expect(r.reports.some((x) => x.text.startsWith('Loading weights'))).toBe(true);
  expect(r.reply.length).toBeGreaterThan(0);
  expect(r.whole).toBe(r.reply);
  expect(r.model).toBe(MODEL);
  expect(r.message).toBe(r.whole);
  expect(r.usage.completion_tokens).toBeGreaterThan(0);
  expect(r.stats).toMatch(STATS);
  expect(r.vendor).toBe('google');
  expect(r.loaded.contextLength).toBe(128);
  // The page's own workers host the engine: Lite Coder's module never started its own engine worker.
  const workers = page.workers().map((w) => new URL(w.url()).pathname);
  expect(workers).toContain('/webllm/worker.js');
  expect(workers).not.toContain('/lite-coder.js');
});

test('service-worker: one engine serves two tabs; a closed tab blocks nothing', async ({ context, fixtureServer }) => {
  const first = await context.newPage();
  await open(first, '?sw');
  const r1 = await runPattern<{ reports: InitProgressReport[]; message: string; usage: Usage; finalMessage: string }>(
    first,
    'service-worker',
    MODEL,
    appConfig(fixtureServer.url),
  );
  expect(r1.reports.some((x) => x.text.startsWith('Loading weights'))).toBe(true);
  expect(r1.message.length).toBeGreaterThan(0);
  expect(r1.finalMessage).toBe(r1.message);
  expect(r1.usage.completion_tokens).toBeGreaterThan(0);

  const second = await context.newPage();
  await open(second, '?sw');
  const r2 = await runPattern<{ reports: InitProgressReport[]; message: string; usage: Usage }>(
    second,
    'service-worker',
    MODEL,
    appConfig(fixtureServer.url),
  );
  // The model was already loaded: no import and no load, only web-llm's final report.
  expect(r2.reports.map((x) => x.text)).toEqual([expect.stringMatching(/^Finish loading on WebGPU/)]);
  expect(r2.message).toBe(r1.message);

  // The engine is in the service worker; neither tab runs one.
  expect(context.serviceWorkers().map((w) => new URL(w.url()).pathname)).toContain('/webllm/sw.js');
  for (const p of [first, second]) {
    expect(p.workers().map((w) => new URL(w.url()).pathname)).not.toContain('/lite-coder.js');
  }

  // The first tab starts a long stream and closes after its first chunk; the second tab's request still runs.
  await first.evaluate(() => {
    const e = window.engine;
    void (async () => {
      const messages = [{ role: 'user' as const, content: 'Count to a thousand.' }];
      const s = await e.chat.completions.create({ messages, stream: true, max_tokens: 400, ignore_eos: true });
      for await (const _c of s) document.body.dataset.streaming = '1';
    })();
  });
  await first.waitForSelector('body[data-streaming="1"]', { state: 'attached' });
  await first.close();
  const after = await second.evaluate(async () => {
    const e = window.engine;
    const reply = await e.chat.completions.create({
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 3,
      temperature: 0,
    });
    return reply.usage!.completion_tokens;
  });
  expect(after).toBeGreaterThan(0);
});

test('service-worker: restarted, it is reconnected to and reloads', async ({ page, context, fixtureServer }) => {
  await open(page, '?sw');
  const loaded = await page.evaluate(
    async ({ url, model, appConfig }) => {
      const webllm = (await import(url)) as Module;
      const engine = await webllm.CreateServiceWorkerMLCEngine(model, { appConfig }, undefined, 500);
      window.engine = engine;
      const reply = await engine.chat.completions.create({
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 4,
        temperature: 0,
      });
      return reply.choices[0]!.message.content;
    },
    { url: LITE_CODER, model: MODEL, appConfig: appConfig(fixtureServer.url) },
  );

  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  // Heartbeats (every 500 ms here) start it again; the tab sees a new instance and connects to it.
  await page.waitForTimeout(2500);
  const again = await page.evaluate(async () => {
    const e = window.engine;
    const reply = await e.chat.completions.create({
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 4,
      temperature: 0,
    });
    return reply.choices[0]!.message.content;
  });
  expect(again).toBe(loaded);
});

test('simple-chat: ChatOptions defaults, interrupt, resetChat (stats too), unload', async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    curMessage: string;
    finish: string;
    finalMessage: string;
    statsText: string;
    stopped: string;
    stoppedFinish: string;
    afterReset: string;
    again: string;
  }>(page, 'simple-chat', MODEL, appConfig(fixtureServer.url));
  expect(r.curMessage.length).toBeGreaterThan(0);
  expect(r.finish).toMatch(/^(stop|length)$/);
  expect(r.finalMessage).toBe(r.curMessage);
  expect(r.statsText).toMatch(STATS);
  expect(r.stoppedFinish).toBe('abort');
  // resetChat() without keepStats starts the stats over: no tokens, no time (web-llm prints NaN then too).
  expect(r.afterReset).toBe('prefill: NaN tokens/sec, decoding: NaN tokens/sec');
  // reload(id, { temperature: 0 }) made every request greedy: the same reply again.
  expect(r.again).toBe(r.curMessage);
  expect(await loadedModel(page)).toBeUndefined();
});

test("latency breakdown: each token's sampling timed; the tokens do not change", async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<{
    usage: Usage;
    plainExtra: Usage['extra'];
    plain: string;
    timed: string;
  }>(page, 'latency-breakdown', MODEL, appConfig(fixtureServer.url));
  const b = r.usage.extra.latencyBreakdown!;
  const n = r.usage.completion_tokens;
  expect(n).toBeGreaterThan(0);
  expect(b.totalTime).toHaveLength(n);
  expect(b.sampleTime).toHaveLength(n);
  for (const t of [...b.totalTime, ...b.sampleTime]) expect(t).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) expect(b.sampleTime[i]!).toBeLessThanOrEqual(b.totalTime[i]!);
  expect(b.logitProcessorTime).toEqual([]); // no processor registered
  expect(r.plainExtra).not.toHaveProperty('latencyBreakdown');
  expect(r.timed).toBe(r.plain);
});

test("errors: web-llm's names for the calls it refuses", async ({ page, fixtureServer }) => {
  await open(page);
  const r = await runPattern<Record<string, string>>(page, 'errors', MODEL, appConfig(fixtureServer.url));
  expect(r.chatBeforeLoad).toBe(notLoaded('ChatCompletionRequest'));
  expect(r.completionBeforeLoad).toBe(notLoaded('CompletionCreateParams'));
  expect(r.messageBeforeLoad).toBe(notLoaded('getMessage'));
  expect(r.statsBeforeLoad).toBe(notLoaded('runtimeStatsText'));
  expect(r.forwardBeforeLoad).toBe(notLoaded('forwardTokensAndSample'));
  expect(r.resetBeforeLoad).toBe('no error');
  const noRecord =
    /^ModelNotFoundError: Cannot find model record in appConfig for Llama-3\.1-8B-Instruct-q4f32_1-MLC\. /;
  expect(r.unknownModel).toMatch(noRecord);
  expect(r.sizes).toBe(
    'ReloadArgumentSizeUnmatchedError: Expect chatOpts, if specified, to match the size of modelId. ' +
      'However, got 1 modelId, but 2 chatOpts.',
  );
  expect(r.notUnique).toMatch(/^ReloadModelIdNotUniqueError: /);
  const unsupported = (target: string, field: string) =>
    `UnsupportedFieldsError: The following fields in ${target} are not yet supported: \n${field}`;
  expect(r.slidingWindow).toBe(unsupported('ChatOptions', 'sliding_window_size'));
  expect(r.cacheUnknown).toMatch(noRecord);
  expect(r.logLevel).toMatch(/^TypeError: .*LOUD/);
  expect(r.sessions).toBe('[]');
  expect(r.resume).toBe('Error: Resumable session not found: no-such-session');
  expect(r.integrity).toBe(unsupported('ModelRecord', 'integrity'));
  expect(r.otherModel).toBe(
    'SpecifiedModelNotFoundError: Specified model Phi-3-mini-4k-instruct-q4f16_1-MLC for ' +
      'ChatCompletionRequest is not found in loaded models. Please check if the correct model is loaded/specified. ' +
      `Currently loaded models are:\n${MODEL}`,
  );
  expect(r.thisModel).toBe('no error');
  expect(r.streamOptions).toBe('InvalidStreamOptionsError: Only specify stream_options when stream=True.');
  expect(r.streamN).toBe('StreamingCountError: When streaming, `n` cannot be > 1.');
  expect(r.resumable).toBe(unsupported('ChatCompletionRequest', 'extra_body.resumable'));
  expect(r.emptyForward).toMatch(/^RangeError: forwardTokensAndSample needs at least one input id/);
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The build under test (the one the server serves: playwright.config.ts's LC_DIST). */
const DIST = process.env.LC_DIST ?? join(ROOT, 'dist');

/** tsc on a folder of its own (outside the repository: no node_modules, no web-llm to find). */
function typecheck(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lite-coder-dts-'));
  try {
    copyFileSync(join(DIST, 'lite-coder.d.ts'), join(dir, 'lite-coder.d.ts'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    // A strict project, with the declarations checked too (skipLibCheck off) and the DOM's types only.
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['*.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A TypeScript program written against web-llm's types, with only the import changed.
test('TypeScript: a web-llm program type-checks against dist/lite-coder.d.ts', () => {
  test.setTimeout(180_000);
  const dts = readFileSync(join(DIST, 'lite-coder.d.ts'), 'utf8');
  expect(dts).not.toMatch(/from ['"]@mlc-ai\//); // self-contained: web-llm's types are written into it
  // The program checks against web-llm itself as part of the project's type check (tsconfig.json includes tests/).
  const program = readFileSync(join(ROOT, 'tests/conformance/typecheck/main.ts'), 'utf8');
  expect(program).toContain("from '@mlc-ai/web-llm'");
  const ported = program.replace("from '@mlc-ai/web-llm'", "from './lite-coder.js'");
  const good = typecheck({ 'main.ts': ported });
  expect(good.output).toBe('');
  expect(good.status).toBe(0);
  // The types are web-llm's, not loose: code that misuses them is refused.
  const bad = typecheck({
    'bad.ts': [
      "import * as webllm from './lite-coder.js';",
      "const r: webllm.ChatCompletionRequest = { messages: 'hello' };",
      'export async function f(e: webllm.MLCEngineInterface): Promise<webllm.ChatCompletion> {',
      "  return e.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true });",
      '}',
      "export const opts: webllm.ChatOptions = { context_window_size: '4k' };",
      'console.log(r);',
    ].join('\n'),
  });
  expect(bad.status).not.toBe(0);
  expect(bad.output).toContain('bad.ts(2,');
  expect(bad.output).toContain('bad.ts(4,');
  expect(bad.output).toContain('bad.ts(6,');
});
