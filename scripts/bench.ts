/**
 * npm run bench -- [options]
 *
 * Prints speed and work figures of the real store and runtime in headless Chromium: for each model
 * (the five tiny fixtures, the full-vocabulary fixture, and a synthetic model with DeepSeek-Coder-V2-
 * Lite's real layer shapes, scripts/synthetic-model.ts) and expert budget, prefill and decode tokens/s,
 * compute dispatches, queue submits and GPU-to-CPU read-backs per decoded token, weight bytes read per
 * decoded token, expert-cache hit rate, RAM-tier hits, MB uploaded to the GPU and MB read from IndexedDB per
 * decoded token; then, for each quant
 * type, the matrix-vector kernel's effective bandwidth against a plain copy's of the same bytes on the
 * same adapter.
 * It asserts nothing: figures depend on the machine. Progress goes to stderr, figures to stdout.
 *
 * Options:
 *   --dist <dir>                 the built app to serve (default dist), with its test harness in <dir>-test
 *   --prompt-tokens N            prompt length on the fixtures (default 32)
 *   --synthetic-prompt-tokens N  prompt length on the synthetic model (default 16: on SwiftShader its
 *                                prefill takes seconds per token, and the whole bench should take minutes)
 *   --decode-tokens N            tokens decoded on the fixtures (default 32)
 *   --synthetic-decode-tokens N  tokens decoded on the synthetic model (default 8)
 *   --warmup N                   short generations before each measured one (default 1)
 *   --expert-budget MB           run every model paged with this expert budget instead of resident
 *   --no-quarter                 skip the synthetic model's extra paged run at a quarter of its experts
 *   --layers N                   synthetic model blocks: layer 0 dense, the rest MoE (default 2)
 *   --quant q4_0|q4_k_m          synthetic model tensor types (default q4_0)
 *   --synthetic <file.gguf>      benchmark this file as the synthetic model instead of writing one
 *   --out <file.gguf>            write the synthetic model here and keep it (default: a temp dir, removed)
 *   --context N                  KV cache positions to allocate (default 4096)
 *   --kernel-rows N, --kernel-cols N   the kernel-efficiency matrix (default 8192 x 2048)
 *   --kernel-types a,b           its ggml types (default every quantized type Lite Coder reads)
 *   --wall-clock                 time the kernels by wall clock even where timestamp-query is offered
 *   --long-prefill a,b           long prompts on the synthetic model: prefill tokens/s at these lengths, decode
 *                                tokens/s at the last one's context and the decode attention's share of a
 *                                step there (default 512,4096; on SwiftShader the 4,096 run takes long)
 *   --long-decode-tokens N       tokens decoded after the longest prompt (default 4)
 *   --skip a,b                   leave out any of: fixtures, fullvocab, longctx, synthetic, long, kernel, grammar
 *
 * longctx: the long-context fixture (tests/fixtures/longctx/: a 4,201-token prompt on ds2-pub-f32, then a
 * 200-token turn on the same KV cache), the time of each prefill.
 *
 * The grammar line (response_format, on the full-vocabulary fixture): decode ms per token with the
 * JSON grammar's token mask against without it, and the first request's grammar set-up.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readDeepSeek2 } from '../workers/gguf/deepseek2';
import { ggmlTypeByName, isQuantized, SUPPORTED_TYPES } from '../workers/gguf/ggml-types';
import { planRecords } from '../workers/store/plan';
import type { ImportProgress } from '../workers/store/types';
import type { KernelEfficiency, KernelEfficiencyOptions } from '../tests/harness/bench-harness';
import { CHROMIUM_ARGS } from './chromium';
import { fail, parseArgs, readHeaderFromFile } from './gguf-file';
import { pageErrorMessage } from './harness-session';
import { SYNTHETIC_QUANTS, writeSyntheticModel, type SyntheticQuant } from './synthetic-model';
import { startStaticServer } from './static-server.mjs';
import { findChromium, NO_CHROMIUM_MESSAGE } from './find-chromium.mjs';

interface Server {
  url: string;
  close(): Promise<void>;
}

const FIXTURES = [
  'tests/fixtures/models/ds2-pub-f32.gguf',
  'tests/fixtures/models/ds2-pub-legacy-f32.gguf',
  'tests/fixtures/models/ds2-pub-q8_0.gguf',
  'tests/fixtures/models/ds2-pub-q4_0.gguf',
  'tests/fixtures/models/ds2-pub256-q4_k_m.gguf',
];
const FULLVOCAB = 'tests/fixtures/fullvocab/tiny-q4_0.gguf';
const PROMPT_TEXT =
  'def quick_sort(items):\n    if len(items) <= 1:\n        return items\n    pivot = items[len(items) // 2]\n    left = [x for x in items if x < pivot]\n';
const SKIPPABLE = ['fixtures', 'fullvocab', 'longctx', 'synthetic', 'long', 'kernel', 'grammar'];
const LONGCTX = { model: 'tests/fixtures/models/ds2-pub-f32.gguf', prompt: 'tests/fixtures/longctx/prompt.json' };
const KERNEL_TYPES = SUPPORTED_TYPES.filter(isQuantized).map((t) => t.name);

interface Options {
  dist: string;
  promptTokens: number;
  syntheticPromptTokens: number;
  decodeTokens: number;
  syntheticDecodeTokens: number;
  warmup: number;
  budgetMB: number | undefined;
  quarter: boolean;
  layers: number;
  quant: SyntheticQuant;
  synthetic: string | undefined;
  out: string | undefined;
  context: number;
  kernelRows: number;
  kernelCols: number;
  kernelTypes: string[];
  wallClock: boolean;
  longPrefill: number[];
  longDecodeTokens: number;
  skip: Set<string>;
}

function options(): Options {
  let a: Map<string, string>;
  try {
    a = parseArgs(process.argv.slice(2), ['no-quarter', 'wall-clock']);
  } catch (e) {
    fail((e as Error).message);
  }
  const known = [
    'long-prefill',
    'long-decode-tokens',
    'dist',
    'prompt-tokens',
    'synthetic-prompt-tokens',
    'decode-tokens',
    'synthetic-decode-tokens',
    'warmup',
    'expert-budget',
    'no-quarter',
    'layers',
    'quant',
    'synthetic',
    'out',
    'context',
    'kernel-rows',
    'kernel-cols',
    'kernel-types',
    'wall-clock',
    'skip',
  ];
  for (const k of a.keys())
    if (!known.includes(k)) fail(`unknown option --${k} (see the comment at the top of scripts/bench.ts)`);
  const int = (name: string, fallback: number, min: number) => {
    const v = Number(a.get(name) ?? fallback);
    if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer of at least ${min}`);
    return v;
  };
  const budget = a.has('expert-budget') ? Number(a.get('expert-budget')) : undefined;
  if (budget !== undefined && !(budget > 0)) fail('--expert-budget must be a positive number of MB');
  const quant = (a.get('quant') ?? 'q4_0') as SyntheticQuant;
  if (!SYNTHETIC_QUANTS.includes(quant)) fail(`--quant must be one of ${SYNTHETIC_QUANTS.join(', ')}`);
  const skip = new Set((a.get('skip') ?? '').split(',').filter(Boolean));
  for (const s of skip) if (!SKIPPABLE.includes(s)) fail(`--skip takes ${SKIPPABLE.join(', ')}`);
  const kernelCols = int('kernel-cols', 2048, 32);
  if (kernelCols % 32 !== 0) fail('--kernel-cols must be a multiple of 32 (blocks of 32)');
  const kernelTypes = a.has('kernel-types')
    ? (a.get('kernel-types') ?? '').split(',').map((t) => t.trim().toUpperCase())
    : KERNEL_TYPES;
  for (const t of kernelTypes)
    if (!KERNEL_TYPES.includes(t)) fail(`--kernel-types: ${t} is not one of ${KERNEL_TYPES.join(', ')}`);
  return {
    dist: a.get('dist') ?? 'dist',
    promptTokens: int('prompt-tokens', 32, 1),
    syntheticPromptTokens: int('synthetic-prompt-tokens', 16, 1),
    decodeTokens: int('decode-tokens', 32, 1),
    syntheticDecodeTokens: int('synthetic-decode-tokens', 8, 1),
    warmup: int('warmup', 1, 0),
    budgetMB: budget,
    quarter: !a.has('no-quarter'),
    layers: int('layers', 2, 2),
    quant,
    synthetic: a.get('synthetic'),
    out: a.get('out'),
    context: int('context', 4096, 64),
    kernelRows: int('kernel-rows', 8192, 1),
    kernelCols,
    kernelTypes,
    wallClock: a.has('wall-clock'),
    longPrefill: (a.get('long-prefill') ?? '512,4096')
      .split(',')
      .map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 2) fail('--long-prefill takes prompt lengths of at least 2 tokens');
        return n;
      })
      .sort((x, y) => x - y),
    longDecodeTokens: int('long-decode-tokens', 4, 1),
    skip,
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);

/** One browser, one bench page, the app and each model folder served on loopback. */
class Bench {
  private readonly servers = new Map<string, Server>();
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly app: Server,
  ) {}

  static async open(dist: string): Promise<Bench> {
    if (!existsSync(join(`${dist}-test`, 'tests/harness/bench.html')))
      throw new Error(`${dist}-test/tests/harness/bench.html is missing: build the harness (npm run build:test)`);
    const executablePath = await findChromium();
    if (!executablePath) throw new Error(NO_CHROMIUM_MESSAGE);
    const app = (await startStaticServer({ root: dist, overlays: [`${dist}-test`] })) as Server;
    let browser: Browser | undefined;
    try {
      // Developer features: unquantized timestamp queries (Chromium rounds them to 100 µs otherwise).
      browser = await chromium.launch({
        executablePath,
        args: [...CHROMIUM_ARGS, '--enable-webgpu-developer-features'],
      });
      const page = await browser.newPage();
      await page.exposeFunction('benchProgress', (msg: string) => log(`    ${msg}`));
      await page.goto(`${app.url}/tests/harness/bench.html`);
      await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
      return new Bench(browser, page, app);
    } catch (e) {
      await browser?.close();
      await app.close();
      throw e;
    }
  }

  /** The URL the page fetches `path` from (its folder served with CORS and Range). */
  async urlOf(path: string): Promise<string> {
    const dir = dirname(resolve(path));
    let s = this.servers.get(dir);
    if (!s) {
      s = await startStaticServer({ root: dir, cors: true });
      this.servers.set(dir, s);
    }
    return `${s.url}/${encodeURIComponent(basename(path))}`;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.app.close();
    for (const s of this.servers.values()) await s.close();
  }
}

interface ModelSpec {
  label: string;
  path: string;
  promptTokens: number;
  decodeTokens: number;
  /** expert budgets to run: null resident, or MB (with a note saying what it holds) */
  budgets: { mb: number | null; note?: string }[];
}

interface Row {
  model: string;
  experts: string;
  prefill: number;
  decode: number;
  dispatches: number;
  submits: number;
  readbacks: number;
  weightMB: number;
  hitRate: number;
  /** GPU misses the RAM tier answered, per decoded token */
  ramHits: number;
  /** MB uploaded to the GPU's expert pools per decoded token */
  upMB: number;
  idbMB: number;
  finite: boolean;
}

/** MB (10^6 bytes) that hold `fraction` of every MoE layer's routed experts, plus half a slot of slack. */
async function budgetFor(path: string, fraction: number): Promise<{ mb: number; note: string }> {
  const header = await readHeaderFromFile(path);
  const hp = readDeepSeek2(header);
  const layers = planRecords('bench', header, hp).experts;
  const perLayer = Math.ceil(hp.nExpert * fraction);
  const bytes = layers.reduce((n, l) => n + (perLayer + 0.5) * l.recordBytes, 0);
  return { mb: Math.round(bytes / 1e5) / 10, note: `${perLayer}/${hp.nExpert} experts per layer` };
}

async function runModel(
  b: Bench,
  spec: ModelSpec,
  o: Options,
  promptIdsFor: (text: number[]) => number[],
): Promise<Row[]> {
  const url = await b.urlOf(spec.path);
  const t0 = Date.now();
  log(`  importing ${spec.path}`);
  const summary = await b.page.evaluate(async (url) => {
    const { engine, Comlink } = window.liteCoderBench;
    const say = (globalThis as unknown as { benchProgress: (m: string) => Promise<void> }).benchProgress;
    let last = 0;
    return engine().importModel(
      { kind: 'url', url },
      Comlink.proxy((p: ImportProgress) => {
        if (p.phase === 'downloading' && Date.now() - last < 10000) return;
        last = Date.now();
        void say(`import: ${p.phase} ${(p.bytesDone / 1e6).toFixed(1)} / ${(p.bytesTotal / 1e6).toFixed(1)} MB`);
      }),
    );
  }, url);
  log(
    `  imported ${spec.label} (${(summary.storedBytes / 1e6).toFixed(1)} MB stored) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const textIds = await b.page.evaluate(
    async ({ id, text }) => window.liteCoderBench.engine().encodePrompt(id, { kind: 'raw', text }),
    { id: summary.id, text: PROMPT_TEXT },
  );
  const promptIds = promptIdsFor(textIds);
  const rows: Row[] = [];
  try {
    for (const budget of spec.budgets) {
      const t1 = Date.now();
      log(
        `  ${spec.label}: ${budget.mb === null ? 'resident' : `expert budget ${budget.mb} MB`}, ${o.warmup} warm-up + prompt ${promptIds.length} / decode ${spec.decodeTokens}`,
      );
      try {
        const r = await b.page.evaluate(
          async ({ id, mb, context, promptIds, decode, warmup }) => {
            const { engine, Comlink } = window.liteCoderBench;
            const say = (globalThis as unknown as { benchProgress: (m: string) => Promise<void> }).benchProgress;
            const e = engine();
            const loaded = await e.loadModel(
              id,
              { ...(mb === null ? {} : { expertBudgetMB: mb }), contextLength: context },
              Comlink.proxy(() => {}),
            );
            await say(
              `loaded: ${loaded.resident ? 'resident' : 'paged'}, ${loaded.slots} expert slots, context ${loaded.contextLength}`,
            );
            for (let i = 0; i < warmup; i++) {
              await e.resetChat();
              // a two-token prefill step and one decode step: every kernel and pipeline runs once
              await e.generateTokens({ promptIds: promptIds.slice(0, 2), maxTokens: 2, stopIds: [] });
            }
            if (warmup > 0) await say('warm-up done');
            await e.resetChat(); // the measured prefill computes its whole prompt
            const r = await e.generateTokens({ promptIds, maxTokens: decode + 1, stopIds: [] });
            await e.resetChat();
            await e.unloadModel();
            const finite = r.top.every((step) => step.every(([, logit]) => Number.isFinite(logit)));
            return {
              loaded,
              finite,
              ids: r.ids,
              prefillMs: r.prefillMs,
              decodeMs: r.decodeMs,
              promptTokens: r.promptTokens,
              reusedTokens: r.reusedTokens,
              decode: r.decode,
            };
          },
          { id: summary.id, mb: budget.mb, context: o.context, promptIds, decode: spec.decodeTokens, warmup: o.warmup },
        );
        const d = r.decode;
        const steps = Math.max(1, d.steps);
        log(
          `  decoded ${r.ids.length} tokens, ${new Set(r.ids).size} distinct: ${r.ids.slice(0, 12).join(',')}${r.ids.length > 12 ? ',...' : ''}`,
        );
        if (r.reusedTokens !== 0) log(`  warning: ${r.reusedTokens} prompt tokens came from the KV cache`);
        const lookups = d.hits + d.misses;
        rows.push({
          model: spec.label,
          experts: r.loaded.resident
            ? `resident${budget.mb === null ? '' : ` (a budget of ${budget.mb} MB holds every expert)`}`
            : `${budget.mb} MB: ${r.loaded.slots} slots${budget.note ? ` (${budget.note})` : ''}`,
          prefill: r.promptTokens / (r.prefillMs / 1000),
          decode: d.steps / (r.decodeMs / 1000),
          dispatches: d.dispatches / steps,
          submits: d.submits / steps,
          readbacks: d.readbacks / steps,
          weightMB: d.weightBytes / steps / 1e6,
          // resident: every expert is on the GPU and no lookup is counted; every one would hit
          hitRate: lookups ? d.hits / lookups : r.loaded.resident ? 1 : NaN,
          ramHits: d.ramHits / steps,
          upMB: d.bytesUploaded / steps / 1e6,
          idbMB: d.bytesRead / steps / 1e6,
          finite: r.finite,
        });
        printRow(rows.at(-1)!);
        log(`  done in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      } catch (e) {
        const msg = pageErrorMessage(e);
        out(`${pad(spec.label, COLS[0]!)} ${budget.mb === null ? 'resident' : `${budget.mb} MB`}: failed: ${msg}`);
        await b.page.evaluate(() => window.liteCoderBench.engine().unloadModel()).catch(() => {});
      }
    }
  } finally {
    await b.page.evaluate((id) => window.liteCoderBench.engine().deleteModel(id), summary.id).catch(() => {});
  }
  return rows;
}

const COLS = [22, 9, 9, 8, 8, 8, 9, 7, 8, 6, 7, 8];
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function printHeader(): void {
  out(
    [
      pad('model', COLS[0]!),
      lpad('prefill', COLS[1]!),
      lpad('decode', COLS[2]!),
      lpad('disp/tok', COLS[3]!),
      lpad('subm/tok', COLS[4]!),
      lpad('rdbk/tok', COLS[5]!),
      lpad('wMB/tok', COLS[6]!),
      lpad('hit', COLS[7]!),
      lpad('ramhit', COLS[10]!),
      lpad('upMB/tok', COLS[11]!),
      lpad('idbMB/tok', COLS[8]!),
      ' experts',
    ].join(' '),
  );
  out([pad('', COLS[0]!), lpad('tok/s', COLS[1]!), lpad('tok/s', COLS[2]!)].join(' '));
}

function printRow(r: Row): void {
  out(
    [
      pad(r.model, COLS[0]!),
      lpad(fmt(r.prefill, 1), COLS[1]!),
      lpad(fmt(r.decode, 2), COLS[2]!),
      lpad(fmt(r.dispatches, 1), COLS[3]!),
      lpad(fmt(r.submits, 2), COLS[4]!),
      lpad(fmt(r.readbacks, 2), COLS[5]!),
      lpad(fmt(r.weightMB, 2), COLS[6]!),
      lpad(Number.isFinite(r.hitRate) ? `${(r.hitRate * 100).toFixed(0)}%` : '-', COLS[7]!),
      lpad(fmt(r.ramHits, 1), COLS[10]!),
      lpad(fmt(r.upMB, 2), COLS[11]!),
      lpad(fmt(r.idbMB, 2), COLS[8]!),
      ` ${r.experts}${r.finite ? '' : ' NON-FINITE LOGITS'}`,
    ].join(' '),
  );
}

function printKernelHeader(o: KernelEfficiencyOptions, timing: string): void {
  out(
    `kernel efficiency (${timing}, median of ${o.samples} after ${o.warmup} warm-up; ${o.dispatches} dispatch${o.dispatches === 1 ? '' : 'es'} per sample over ${o.buffers} cop${o.buffers === 1 ? 'y' : 'ies'} of the matrix):`,
  );
  out(
    `  matvec ${o.rows} x ${o.cols} of each type: its GB/s (weight bytes read / time) over a copy's of the same bytes (read + written / time)`,
  );
  out(
    `  ${pad('type', 8)} ${lpad('MB', 7)} ${lpad('matvec ms', 10)} ${lpad('GB/s', 8)} ${lpad('copy ms', 9)} ${lpad('GB/s', 8)} ${lpad('ratio', 7)}  check`,
  );
}

function printKernel(k: KernelEfficiency): void {
  const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4));
  out(
    `  ${pad(k.type, 8)} ${lpad((k.matrixBytes / 1e6).toFixed(2), 7)} ${lpad(ms(k.matvec.medianMs), 10)} ${lpad(k.matvec.gbPerS.toFixed(3), 8)} ${lpad(ms(k.copy.medianMs), 9)} ${lpad(k.copy.gbPerS.toFixed(3), 8)} ${lpad(`${(k.ratio * 100).toFixed(1)}%`, 7)}  copy exact, matvec within ${k.matvecError.toExponential(1)} of the CPU`,
  );
}

/**
 * What grammar decoding costs per token on the real 102,400-token vocabulary: the same greedy chat
 * request with and without response_format json_object (the mask is computed by web-xgrammar on the
 * CPU and applied in sample_prep), and the first request's extra time (xgrammar's vocabulary set-up
 * and the grammar's compilation).
 */
async function grammarCost(b: Bench): Promise<void> {
  log('grammar: JSON mode on the full-vocabulary fixture');
  const url = await b.urlOf(FULLVOCAB);
  // No named functions inside evaluate: tsx wraps them in a helper the page does not have.
  const r = await b.page.evaluate(async (url) => {
    const { engine, Comlink } = window.liteCoderBench;
    const e = engine();
    const m = await e.importModel(
      { kind: 'url', url },
      Comlink.proxy(() => {}),
    );
    await e.loadModel(
      m.id,
      {},
      Comlink.proxy(() => {}),
    );
    const messages = [{ role: 'user' as const, content: 'describe a thing as JSON' }];
    const runs: { perToken: number; grammarInit: number; grammarPerToken: number }[] = [];
    for (const json of [false, true, false, true]) {
      const c = await e.chatCompletion({
        messages,
        max_tokens: 32,
        temperature: 0,
        ignore_eos: !json,
        ...(json ? { response_format: { type: 'json_object' as const } } : {}),
      });
      const x = c!.usage!.extra;
      runs.push({
        perToken: x.time_per_output_token_s * 1000,
        grammarInit: (x.grammar_init_s ?? 0) * 1000,
        grammarPerToken: (x.grammar_per_token_s ?? 0) * 1000,
      });
    }
    await e.unloadModel();
    return { first: runs[1]!, plain: runs[2]!, json: runs[3]! };
  }, url);
  out(
    `grammar (response_format json_object, 102400-token vocabulary): the token mask ${r.json.grammarPerToken.toFixed(2)} ms/token on the CPU` +
      ` (decode ${r.json.perToken.toFixed(1)} ms/token with it, ${r.plain.perToken.toFixed(1)} without); set-up ${r.first.grammarInit.toFixed(0)} ms` +
      ` for the first request (xgrammar's vocabulary and the compile), ${r.json.grammarInit.toFixed(0)} ms once compiled`,
  );
}

/** Import `path`, returning its id; the caller deletes it. */
async function importFile(b: Bench, path: string): Promise<string> {
  const url = await b.urlOf(path);
  return b.page.evaluate(async (url) => {
    const { engine, Comlink } = window.liteCoderBench;
    return (
      await engine().importModel(
        { kind: 'url', url },
        Comlink.proxy(() => {}),
      )
    ).id;
  }, url);
}

/** The long-context fixture: its 4,201-token prompt, then its 200-token second turn on the same cache. */
async function longContextFixture(b: Bench, o: Options): Promise<void> {
  const { t1, t2 } = JSON.parse(readFileSync(LONGCTX.prompt, 'utf8')) as { t1: number[]; t2: number[] };
  log(`long-context fixture: ${t1.length} + ${t2.length} tokens on ${LONGCTX.model}`);
  const id = await importFile(b, LONGCTX.model);
  try {
    const r = await b.page.evaluate(
      async ({ id, t1, t2, warmup }) => {
        const { engine, Comlink } = window.liteCoderBench;
        const e = engine();
        const loaded = await e.loadModel(
          id,
          { kvType: 'F32' },
          Comlink.proxy(() => {}),
        );
        for (let i = 0; i < warmup; i++) {
          await e.resetChat();
          await e.generateTokens({ promptIds: t1.slice(0, 2), maxTokens: 2, stopIds: [] });
        }
        await e.resetChat();
        const r1 = await e.generateTokens({ promptIds: t1, maxTokens: 1, stopIds: [] });
        const r2 = await e.generateTokens({ promptIds: [...t1, ...r1.ids, ...t2], maxTokens: 1, stopIds: [] });
        await e.unloadModel();
        return {
          batch: loaded.maxBatch,
          p1: r1.prefillMs,
          n1: r1.promptTokens - r1.reusedTokens,
          p2: r2.prefillMs,
          n2: r2.promptTokens - r2.reusedTokens,
        };
      },
      { id, t1, t2, warmup: o.warmup },
    );
    out('');
    out(
      `long-context fixture (ds2-pub-f32, f32 KV cache, prefill steps of ${r.batch}): ${r.n1}-token prompt prefilled in ${(r.p1 / 1000).toFixed(1)} s ` +
        `(${(r.n1 / (r.p1 / 1000)).toFixed(1)} tok/s); a ${r.n2}-token second turn at position ${t1.length + 1} in ${(r.p2 / 1000).toFixed(1)} s (${(r.n2 / (r.p2 / 1000)).toFixed(1)} tok/s)`,
    );
  } catch (e) {
    out(`long-context fixture: failed: ${pageErrorMessage(e)}`);
  } finally {
    await b.page.evaluate((id) => window.liteCoderBench.engine().deleteModel(id), id).catch(() => {});
  }
}

/**
 * Long prompts on the synthetic real-shape model: prefill tokens/s at each length of --long-prefill
 * (each from an empty cache), decode tokens/s after the longest, and the share of such a decode step
 * that the attention takes (one layer's decode attention timed alone on the real shapes at that
 * context, times the layers, over the step's time).
 */
async function longPrompts(b: Bench, o: Options, path: string, layers: number): Promise<void> {
  const lengths = o.longPrefill;
  const longest = lengths.at(-1)!;
  log(`long prompts on the synthetic model: ${lengths.join(', ')} tokens`);
  const id = await importFile(b, path);
  try {
    const textIds = await b.page.evaluate(
      async ({ id, text }) => window.liteCoderBench.engine().encodePrompt(id, { kind: 'raw', text }),
      { id, text: PROMPT_TEXT },
    );
    const ids = (n: number) => Array.from({ length: n }, (_, i) => textIds[i % textIds.length]!);
    const loaded = await b.page.evaluate(
      async ({ id, context }) => {
        const { engine, Comlink } = window.liteCoderBench;
        return engine().loadModel(
          id,
          { contextLength: context },
          Comlink.proxy(() => {}),
        );
      },
      { id, context: longest + o.longDecodeTokens + 8 },
    );
    out('');
    out(
      `long prompts, synthetic ${layers}-layer real-shape model (resident, ${loaded.kvType} KV cache, prefill steps of ${loaded.maxBatch}):`,
    );
    await b.page.evaluate(async (promptIds) => {
      const e = window.liteCoderBench.engine();
      await e.generateTokens({ promptIds, maxTokens: 2, stopIds: [] }); // warm-up: every pipeline once
    }, ids(2));
    let decode: { steps: number; ms: number } | undefined;
    for (const n of lengths) {
      const t0 = Date.now();
      const r = await b.page.evaluate(
        async ({ promptIds, decodeTokens }) => {
          const e = window.liteCoderBench.engine();
          await e.resetChat();
          const r = await e.generateTokens({ promptIds, maxTokens: decodeTokens + 1, stopIds: [] });
          return { prefillMs: r.prefillMs, decodeMs: r.decodeMs, steps: r.decode.steps };
        },
        { promptIds: ids(n), decodeTokens: n === longest ? o.longDecodeTokens : 0 },
      );
      out(
        `  prefill of ${n} tokens: ${(n / (r.prefillMs / 1000)).toFixed(2)} tok/s (${(r.prefillMs / 1000).toFixed(1)} s)`,
      );
      log(`  ${n} tokens done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      if (n === longest) decode = { steps: r.steps, ms: r.decodeMs };
    }
    await b.page.evaluate(() => window.liteCoderBench.engine().unloadModel());
    if (decode && decode.steps > 0) {
      const stepMs = decode.ms / decode.steps;
      const a = await b.page.evaluate((x) => window.liteCoderBench.attentionDecodeTiming(x), {
        R: 512,
        nRot: 64,
        H: 16,
        context: longest,
        kv: loaded.kvType,
        warmup: 1,
        samples: 5,
      });
      out(
        `  decode at a context of ${longest}: ${(1000 / stepMs).toFixed(2)} tok/s (${stepMs.toFixed(0)} ms a token); its attention ${(a.medianMs * layers).toFixed(1)} ms ` +
          `(${layers} x ${a.medianMs.toFixed(2)} ms, ${a.splits} split${a.splits === 1 ? '' : 's'}, ${a.timing}): ${((100 * a.medianMs * layers) / stepMs).toFixed(1)}% of the step`,
      );
    }
  } catch (e) {
    out(`long prompts: failed: ${pageErrorMessage(e)}`);
    await b.page.evaluate(() => window.liteCoderBench.engine().unloadModel()).catch(() => {});
  } finally {
    await b.page.evaluate((id) => window.liteCoderBench.engine().deleteModel(id), id).catch(() => {});
  }
}

async function main() {
  const o = options();
  const started = Date.now();
  let tmp: string | undefined;
  let b: Bench | undefined;
  try {
    b = await Bench.open(o.dist);
    const bench = b;
    const adapter = await b.page.evaluate(() => window.liteCoderBench.adapterInfo());
    const version = b.browser.version();
    out(`Lite Coder benchmark: ${new Date().toISOString()}`);
    out(
      `adapter: ${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' / ') || 'unknown'}${adapter.software ? ' (software)' : ''}; timestamp-query: ${adapter.timestampQuery ? 'yes' : 'no'}; Chromium ${version}`,
    );
    if (adapter.software)
      out(
        'note: a software adapter (SwiftShader or similar) runs WebGPU on the CPU: these figures show the work done, not the speed of any GPU.',
      );
    out(
      `prompt: a code snippet's tokens, cycled to ${o.promptTokens} (fixtures) or ${o.syntheticPromptTokens} (synthetic); decode: greedy, ${o.decodeTokens} (fixtures) or ${o.syntheticDecodeTokens} (synthetic) tokens after the first, no stop token.`,
    );
    out(
      `per-token figures are over those decode steps; each measured run ${o.warmup ? `follows ${o.warmup} short warm-up run${o.warmup > 1 ? 's' : ''} and ` : ''}starts from an empty KV cache.`,
    );

    const specs: ModelSpec[] = [];
    let syntheticPath: string | undefined;
    let syntheticLayers = o.layers;
    const fixtureBudgets = [{ mb: o.budgetMB ?? null }];
    if (!o.skip.has('fixtures'))
      for (const f of FIXTURES)
        specs.push({
          label: basename(f, '.gguf'),
          path: f,
          promptTokens: o.promptTokens,
          decodeTokens: o.decodeTokens,
          budgets: fixtureBudgets,
        });
    if (!o.skip.has('fullvocab'))
      specs.push({
        label: 'fullvocab tiny-q4_0',
        path: FULLVOCAB,
        promptTokens: o.promptTokens,
        decodeTokens: o.decodeTokens,
        budgets: fixtureBudgets,
      });
    if (!o.skip.has('synthetic')) {
      let path = o.synthetic;
      if (!path) {
        path =
          o.out ??
          join((tmp = mkdtempSync(join(tmpdir(), 'lite-coder-bench-'))), `synthetic-${o.layers}L-${o.quant}.gguf`);
        log(`writing the synthetic model (${o.layers} layers, ${o.quant}) to ${path}`);
        let shown = -1;
        const m = await writeSyntheticModel({
          out: path,
          layers: o.layers,
          quant: o.quant,
          onProgress: (d, t) => {
            const p = Math.floor((4 * d) / t) * 25;
            if (p !== shown) {
              shown = p;
              log(`  ${p}%`);
            }
          },
        });
        out(
          `synthetic model: ${(m.bytes / 1e6).toFixed(1)} MB, ${m.hparams.nLayer} layers (layer 0 dense FFN ${m.hparams.ffnDense}, then MoE ${m.hparams.nExpert} x ${m.hparams.ffnExpert}, ${m.hparams.nExpertUsed} used + ${m.hparams.nExpertShared} shared), hidden ${m.hparams.nEmbd}, ${m.hparams.nHead} heads, ${Object.entries(
            m.typeCounts,
          )
            .map(([k, v]) => `${v}x${k}`)
            .join(' ')}, random weights.`,
        );
        const realHead = (102400 * m.hparams.nEmbd * m.headType.blockBytes) / m.headType.blockWeights;
        out(
          `  its vocabulary is the fixtures' 512 tokens (the real model has 102400): embedding and output head are 512 rows, so per-token figures lack the real head's ~${(realHead / 1e6).toFixed(0)} MB (${m.headType.name}); the real model has 27 layers (--layers 27).`,
        );
        out(
          '  greedy decoding of random weights would repeat one token (and route alike at every step); this head is the embedding permuted, so decoding walks through the vocabulary.',
        );
      } else if (!existsSync(path)) throw new Error(`no such file: ${path}`);
      const budgets: ModelSpec['budgets'] = [{ mb: o.budgetMB ?? null }];
      if (o.quarter) budgets.push(await budgetFor(path, 1 / 4));
      syntheticPath = path;
      syntheticLayers = readDeepSeek2(await readHeaderFromFile(path)).nLayer;
      specs.push({
        label: o.synthetic ? basename(path, '.gguf') : `synthetic ${o.layers}L ${o.quant}`,
        path,
        promptTokens: o.syntheticPromptTokens,
        decodeTokens: o.syntheticDecodeTokens,
        budgets,
      });
    }

    if (specs.length) {
      out('');
      out(
        'columns: prefill and decode tokens/s; per decoded token: compute dispatches, queue submits, GPU-to-CPU read-backs,',
      );
      out(
        '  MB of weights read, expert-cache hit rate, RAM-tier hits, MB uploaded to the GPU, MB read from IndexedDB; the expert budget',
      );
      out('  (resident: all experts on the GPU).');
      printHeader();
    }
    for (const s of specs) {
      log(`${s.label} (${s.path})`);
      await runModel(bench, s, o, (ids) => Array.from({ length: s.promptTokens }, (_, i) => ids[i % ids.length]!));
    }

    if (!o.skip.has('longctx')) await longContextFixture(bench, o);
    if (!o.skip.has('long') && !o.skip.has('synthetic') && syntheticPath)
      await longPrompts(bench, o, syntheticPath, syntheticLayers);

    if (!o.skip.has('kernel')) {
      out('');
      const k = (type: string): KernelEfficiencyOptions => {
        if (adapter.software)
          return { type, rows: o.kernelRows, cols: o.kernelCols, buffers: 1, dispatches: 1, warmup: 1, samples: 5 };
        // a GPU: enough copies that no cache holds them (~256 MB), and samples long enough to time well
        const t = ggmlTypeByName(type);
        const bytes = o.kernelRows * (o.kernelCols / t.blockWeights) * t.blockBytes;
        const buffers = Math.max(1, Math.ceil(256e6 / bytes));
        return {
          type,
          rows: o.kernelRows,
          cols: o.kernelCols,
          buffers,
          dispatches: buffers * Math.max(1, Math.ceil(1e9 / (buffers * bytes))),
          warmup: 3,
          samples: 15,
        };
      };
      let header = false;
      for (const type of o.kernelTypes) {
        if (o.kernelCols % ggmlTypeByName(type).blockWeights !== 0) {
          out(
            `  ${pad(type, 8)} skipped: ${o.kernelCols} columns are not whole blocks of ${ggmlTypeByName(type).blockWeights}`,
          );
          continue;
        }
        const opts = k(type);
        log(
          `kernel efficiency: ${type} ${opts.rows} x ${opts.cols} matvec and copy, ${opts.warmup} + ${opts.samples} samples`,
        );
        try {
          const r = await b.page.evaluate((x) => window.liteCoderBench.kernelEfficiency(x), {
            ...opts,
            wallClock: o.wallClock,
          });
          if (!header) {
            printKernelHeader(r.options, r.timing);
            header = true;
          }
          printKernel(r);
        } catch (e) {
          out(`  ${pad(type, 8)} failed: ${pageErrorMessage(e)}`);
        }
      }
    }
    if (!o.skip.has('grammar')) {
      out('');
      try {
        await grammarCost(b);
      } catch (e) {
        out(`grammar: failed: ${pageErrorMessage(e)}`);
      }
    }
    log(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (e) {
    process.stderr.write(`error: ${pageErrorMessage(e)}\n`);
    process.exitCode = 1;
  } finally {
    await b?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
