/**
 * npm run bench:node -- (--model <file.gguf> | --synthetic) [--tokens 1,2,3 | --prompt-tokens N]
 *                       --max-tokens N [--json] [options]
 *
 * The runtime outside the browser: the same store import, runtime and kernels (workers/, kernels/) on
 * Dawn through the `webgpu` npm package. GGUF file → the store's record layout in memory
 * (workers/store/memory-backend.ts) → GPU buffers → greedy decode. Only the storage backend and the
 * device come from Node (scripts/node-gpu.ts). Beside our figures it runs llama.cpp (node-llama-cpp,
 * scripts/llama-anchor.ts) on the same file and prompt, so every figure is a ratio measured in one run,
 * and its greedy tokens check ours.
 *
 * Built by vite.node.config.ts into dist-node/bench-node.mjs (the kernels' import.meta.glob resolved
 * there), which is what runs here and on a GPU machine (scripts/gpu-bench.sh).
 *
 * Options:
 *   --model <file.gguf>      the model; or --synthetic: write DeepSeek-Coder-V2-Lite's real layer shapes
 *                            with random weights (scripts/synthetic-model.ts; --layers N, default 2,
 *                            --quant q4_0|q4_k_m, --out <file> to keep it, --share-layers: every MoE
 *                            layer gets the first one's matrices (not its router), to write a deep model fast)
 *   --tokens a,b,c           prompt ids; or --prompt-tokens N: the fixtures' "def fib" prompt cycled to N
 *                            (default 16)
 *   --max-tokens N           tokens generated, the first included (default 16)
 *   --budgets a,b            expert budgets, each run in turn: resident, MB (a number), or Nx (N times the
 *                            active experts: nExpertUsed experts of every MoE layer); default resident.
 *                            --expert-budget MB is --budgets MB
 *   --ram-tier MB            paged runs' RAM tier (default a quarter of this machine's memory)
 *   --no-prefetch            paged decode without predicting the next layer's experts
 *   --no-f16                 the f32 kernels even where the adapter has shader-f16 (default: its f16 path)
 *   --warmup N               identical generations before each measured one (default 1)
 *   --context N              KV positions (default: prompt + max tokens, at least 256)
 *   --llama a,b              llama.cpp backends: cpu, vulkan, cuda, or none (default cpu)
 *   --llama-threads N        llama.cpp's CPU threads (default: this machine's parallelism)
 *   --kernel-types a,b       the matvec/copy bandwidth ratio for these ggml types (default: none)
 *   --kernel-rows N, --kernel-cols N   its matrix (default 8192 x 2048)
 *   --dawn-flags a,b         Dawn toggles (e.g. backend=vulkan,adapter=NVIDIA)
 *   --json                   the last line of stdout is one JSON object: prompt_ids, ids (greedy, the
 *                            first run's), prefill_tok_s, decode_tok_s, runs (one per budget), llama_<backend>
 *                            (ids, prefill_tok_s, decode_tok_s, or error), llama_ids_equal, kernels
 * Figures go to stdout, progress to stderr. Exits non-zero with a one-line error when the model cannot
 * be run; a llama.cpp backend that does not load is reported in its entry, not fatal.
 */
import { openAsBlob, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { setBackend } from '../workers/store/db';
import { memoryBackend } from '../workers/store/memory-backend';
import { importModel } from '../workers/store/ingest';
import { Engine, type GenerateResult } from '../workers/engine/engine';
import type { ModelManifest } from '../workers/store/types';
import { ggmlTypeByName, isQuantized, SUPPORTED_TYPES } from '../workers/gguf/ggml-types';
import { defaultRamTierBytes } from '../workers/runtime/ram-tier';
import { adapterInfo, kernelEfficiency, type KernelEfficiencyOptions } from './kernel-efficiency';
import { LLAMA_BACKENDS, runLlama, type LlamaBackend, type LlamaRun } from './llama-anchor';
import { installNodeGpu } from './node-gpu';
import { fail, parseArgs } from './gguf-file';
import { SYNTHETIC_QUANTS, writeSyntheticModel, type SyntheticQuant } from './synthetic-model';

/** tests/fixtures/models/prompts.json, turn 1 ("def fib(n):..."): ids of the 512-token fixture vocabulary. */
const DEFAULT_PROMPT = [497, 67, 68, 69, 267, 72, 65, 7, 77, 8, 25, 185, 300, 298, 83, 332, 77, 291, 207, 10, 207, 16];
const KERNEL_TYPES = SUPPORTED_TYPES.filter(isQuantized).map((t) => t.name);

interface Options {
  model: string | undefined;
  synthetic: { layers: number; quant: SyntheticQuant; out: string | undefined; shareLayers: boolean } | undefined;
  promptIds: number[];
  maxTokens: number;
  budgets: string[];
  ramTierBytes: number;
  prefetch: boolean;
  f16: boolean;
  warmup: number;
  context: number;
  llama: LlamaBackend[];
  llamaThreads: number | undefined;
  kernelTypes: string[];
  kernelRows: number;
  kernelCols: number;
  dawnFlags: string[];
  json: boolean;
}

const USAGE =
  'usage: npm run bench:node -- (--model <file.gguf> | --synthetic) [--tokens 1,2,3 | --prompt-tokens N] --max-tokens N [--json] (see scripts/bench-node.ts)';

function options(argv: string[]): Options {
  let a: Map<string, string>;
  try {
    a = parseArgs(argv, ['json', 'synthetic', 'share-layers', 'no-prefetch', 'no-f16']);
  } catch (e) {
    fail(`${(e as Error).message}; ${USAGE}`);
  }
  const known = [
    'model',
    'synthetic',
    'share-layers',
    'layers',
    'quant',
    'out',
    'tokens',
    'prompt-tokens',
    'max-tokens',
    'budgets',
    'expert-budget',
    'ram-tier',
    'no-prefetch',
    'no-f16',
    'warmup',
    'context',
    'llama',
    'llama-threads',
    'kernel-types',
    'kernel-rows',
    'kernel-cols',
    'dawn-flags',
    'json',
  ];
  for (const k of a.keys()) if (!known.includes(k)) fail(`unknown option --${k}; ${USAGE}`);
  const int = (name: string, fallback: number, min: number) => {
    const v = Number(a.get(name) ?? fallback);
    if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer of at least ${min}`);
    return v;
  };
  const list = (name: string) =>
    (a.get(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const model = a.get('model');
  if (!model === !a.has('synthetic')) fail(`give one of --model and --synthetic; ${USAGE}`);
  if (model && !existsSync(model)) fail(`no such file: ${model}`);
  const quant = (a.get('quant') ?? 'q4_0') as SyntheticQuant;
  if (!SYNTHETIC_QUANTS.includes(quant)) fail(`--quant must be one of ${SYNTHETIC_QUANTS.join(', ')}`);
  if (a.has('tokens') && a.has('prompt-tokens')) fail('give --tokens or --prompt-tokens, not both');
  const tokens = a.has('tokens') ? list('tokens').map(Number) : undefined;
  if (tokens && (tokens.length === 0 || tokens.some((t) => !Number.isInteger(t) || t < 0)))
    fail('--tokens must be comma-separated token ids');
  const promptTokens = int('prompt-tokens', 16, 1);
  const promptIds =
    tokens ?? Array.from({ length: promptTokens }, (_, i) => DEFAULT_PROMPT[i % DEFAULT_PROMPT.length]!);
  const maxTokens = int('max-tokens', 16, 1);
  if (a.has('budgets') && a.has('expert-budget')) fail('give --budgets or --expert-budget, not both');
  const budgets = a.has('expert-budget')
    ? [a.get('expert-budget')!]
    : a.has('budgets')
      ? list('budgets')
      : ['resident'];
  for (const b of budgets)
    if (b !== 'resident' && !/^\d+(\.\d+)?x$/.test(b) && !(Number(b) > 0))
      fail(`--budgets: "${b}" is not resident, a number of MB or Nx`);
  const ram = a.has('ram-tier') ? Number(a.get('ram-tier')) : undefined;
  if (ram !== undefined && !(ram >= 0)) fail('--ram-tier must be a number of MB (0: no RAM tier)');
  const llama = a.get('llama') === 'none' ? [] : a.has('llama') ? list('llama') : ['cpu'];
  for (const b of llama)
    if (!LLAMA_BACKENDS.includes(b as LlamaBackend)) fail(`--llama takes ${LLAMA_BACKENDS.join(', ')} or none`);
  const kernelTypes = list('kernel-types').map((t) => t.toUpperCase());
  for (const t of kernelTypes)
    if (!KERNEL_TYPES.includes(t)) fail(`--kernel-types: ${t} is not one of ${KERNEL_TYPES.join(', ')}`);
  const kernelCols = int('kernel-cols', 2048, 32);
  return {
    model,
    synthetic: a.has('synthetic')
      ? { layers: int('layers', 2, 2), quant, out: a.get('out'), shareLayers: a.has('share-layers') }
      : undefined,
    promptIds,
    maxTokens,
    budgets,
    ramTierBytes: ram !== undefined ? ram * 1e6 : defaultRamTierBytes(totalmem() / 2 ** 30),
    prefetch: !a.has('no-prefetch'),
    f16: !a.has('no-f16'),
    warmup: int('warmup', 1, 0),
    context: int('context', Math.max(256, promptIds.length + maxTokens + 1), promptIds.length + maxTokens + 1),
    llama: llama as LlamaBackend[],
    llamaThreads: a.has('llama-threads') ? int('llama-threads', 1, 1) : undefined,
    kernelTypes,
    kernelRows: int('kernel-rows', 8192, 1),
    kernelCols,
    dawnFlags: list('dawn-flags'),
    json: a.has('json'),
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);
const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits + 2)) : null);

/** One measured generation at one expert budget: our figures, per decoded token where it says so. */
interface RunFigures {
  budget: string;
  budget_mb: number | null;
  /** the matrix-vector kernels' path: f16 (shader-f16) or f32 */
  kernels: 'f16' | 'f32';
  resident: boolean;
  slots: number;
  ids: number[];
  prefill_tok_s: number | null;
  decode_tok_s: number | null;
  dispatches_per_tok: number | null;
  submits_per_tok: number | null;
  readbacks_per_tok: number | null;
  weight_mb_per_tok: number | null;
  /** expert lookups that found the expert on the GPU (resident: every one) */
  hit_rate: number | null;
  ram_hits_per_tok: number | null;
  /** experts uploaded ahead of their layer (predicted from the layer before), per decoded token */
  prefetched_per_tok: number | null;
  upload_mb_per_tok: number | null;
  /** MB read from the store (IndexedDB in the browser) per decoded token */
  store_mb_per_tok: number | null;
  /** records the store gave during the measured generation (prefill and decode) */
  store_reads: number;
}

/** The expert budget `b` in bytes (null: resident) for model `m`. */
function budgetBytes(b: string, m: ModelManifest): number | null {
  if (b === 'resident') return null;
  if (b.endsWith('x')) {
    // N times the active experts: nExpertUsed records of every MoE layer, and a slot of slack per layer
    const n = Number(b.slice(0, -1));
    return m.experts.reduce((s, l) => s + (n * m.hparams.nExpertUsed + 1) * l.recordBytes, 0);
  }
  return Number(b) * 1e6;
}

async function runBudget(
  m: ModelManifest,
  b: string,
  o: Options,
  store: ReturnType<typeof memoryBackend>,
): Promise<RunFigures> {
  const bytes = budgetBytes(b, m);
  const engine = await Engine.load(m.id, {
    expertBudgetBytes: bytes,
    contextLength: o.context,
    maxBatch: 64,
    ramTierBytes: o.ramTierBytes,
    prefetch: o.prefetch,
    f16: o.f16,
  });
  try {
    const cache = engine.model.experts;
    const slots = cache.slots(m.experts[0]!.layer);
    log(
      `  ${b}: ${cache.resident ? 'resident' : `paged, ${slots} slots${bytes !== null ? ` (${(bytes / 1e6).toFixed(1)} MB)` : ''}, RAM tier ${(o.ramTierBytes / 1e6).toFixed(0)} MB`}`,
    );
    const req = { promptIds: o.promptIds, maxTokens: o.maxTokens, stopIds: [] };
    for (let i = 0; i < o.warmup; i++) {
      engine.reset();
      await engine.generate(req);
    }
    engine.reset();
    const reads0 = store.reads.records;
    const r: GenerateResult = await engine.generate(req);
    const d = r.decode;
    const steps = d.steps;
    const per = (x: number) => (steps ? x / steps : NaN);
    const lookups = d.hits + d.misses;
    return {
      budget: b,
      budget_mb: bytes === null ? null : round(bytes / 1e6, 4),
      kernels: engine.kernelOptions.half === 'f16' ? 'f16' : 'f32',
      resident: cache.resident,
      slots,
      ids: r.ids,
      prefill_tok_s: round(r.promptTokens / (r.prefillMs / 1000)),
      decode_tok_s: round(steps / (r.decodeMs / 1000)),
      dispatches_per_tok: round(per(d.dispatches)),
      submits_per_tok: round(per(d.submits)),
      readbacks_per_tok: round(per(d.readbacks)),
      weight_mb_per_tok: round(per(d.weightBytes) / 1e6),
      hit_rate: lookups ? round(d.hits / lookups) : cache.resident ? 1 : null,
      ram_hits_per_tok: round(per(d.ramHits)),
      prefetched_per_tok: round(per(d.prefetched)),
      upload_mb_per_tok: round(per(d.bytesUploaded) / 1e6),
      store_mb_per_tok: round(per(d.bytesRead) / 1e6),
      store_reads: store.reads.records - reads0,
    };
  } finally {
    engine.unload();
  }
}

function printRun(r: RunFigures): void {
  const f = (x: number | null, w: number, digits = 2) => (x === null ? '-' : x.toFixed(digits)).padStart(w);
  out(
    `${r.budget.padEnd(10)} ${f(r.prefill_tok_s, 9, 1)} ${f(r.decode_tok_s, 9)} ${f(r.dispatches_per_tok, 8, 1)} ${f(r.submits_per_tok, 6)} ${f(r.readbacks_per_tok, 6)}` +
      ` ${f(r.weight_mb_per_tok, 8)} ${(r.hit_rate === null ? '-' : `${(r.hit_rate * 100).toFixed(0)}%`).padStart(5)} ${f(r.ram_hits_per_tok, 6, 1)} ${f(r.prefetched_per_tok, 6, 1)}` +
      ` ${f(r.upload_mb_per_tok, 8)} ${f(r.store_mb_per_tok, 8)}` +
      `  ${r.resident ? 'resident' : `${r.slots} slots${r.budget_mb !== null ? `, ${r.budget_mb} MB` : ''}`}, ${r.kernels} kernels`,
  );
}

async function main() {
  const o = options(process.argv.slice(2));
  const started = performance.now();
  let tmp: string | undefined;
  const result: Record<string, unknown> = {};
  try {
    await installNodeGpu(o.dawnFlags);
    const adapter = await adapterInfo();
    const adapterName =
      [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' / ') ||
      'unknown';
    out(
      `Lite Coder bench:node ${new Date().toISOString()}: Node ${process.version}, Dawn (webgpu npm); adapter ${adapterName}${adapter.software ? ' (software: these figures are no GPU speed)' : ''}`,
    );
    Object.assign(result, { adapter: adapterName, software: adapter.software });

    let path = o.model;
    if (o.synthetic) {
      const s = o.synthetic;
      path =
        s.out ??
        join((tmp = mkdtempSync(join(tmpdir(), 'lite-coder-bench-node-'))), `synthetic-${s.layers}L-${s.quant}.gguf`);
      const t0 = performance.now();
      const m = await writeSyntheticModel({ out: path, layers: s.layers, quant: s.quant, shareLayers: s.shareLayers });
      out(
        `synthetic model: ${(m.bytes / 1e6).toFixed(1)} MB, ${m.hparams.nLayer} layers (real shapes, 512-token vocabulary), ${Object.entries(
          m.typeCounts,
        )
          .map(([k, v]) => `${v}x${k}`)
          .join(' ')}; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const modelPath = path!;
    result.model = basename(modelPath);

    const store = memoryBackend();
    setBackend(store);
    const t0 = performance.now();
    const file = new File([await openAsBlob(modelPath)], basename(modelPath));
    const manifest = await importModel({ kind: 'file', file }, () => {}, new AbortController().signal);
    out(
      `imported ${basename(modelPath)} into the in-memory store: ${(manifest.storedBytes / 1e6).toFixed(1)} MB of records in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    out(
      `prompt ${o.promptIds.length} tokens, ${o.maxTokens} generated (greedy), ${o.warmup} identical warm-up run${o.warmup === 1 ? '' : 's'} before each measured one`,
    );
    result.prompt_ids = o.promptIds;

    out('');
    out('experts      prefill    decode disp/tok subm/t rdbk/t  wMB/tok   hit ramhit prefch upMB/tok stMB/tok');
    out('               tok/s     tok/s');
    const runs: RunFigures[] = [];
    for (const b of o.budgets) {
      const r = await runBudget(manifest, b, o, store);
      runs.push(r);
      printRun(r);
    }
    out(
      '(per decoded token: dispatches, queue submits, GPU-to-CPU read-backs, MB of weights read, expert-cache hit rate,',
    );
    out(
      ' RAM-tier hits, experts prefetched, MB uploaded to the GPU, MB read from the store (IndexedDB in the browser, memory here))',
    );
    const first = runs[0]!;
    Object.assign(result, {
      ids: first.ids,
      prefill_tok_s: first.prefill_tok_s,
      decode_tok_s: first.decode_tok_s,
      runs,
    });
    for (const r of runs.slice(1))
      if (r.ids.join() !== first.ids.join())
        out(`warning: the ${r.budget} run's tokens differ from the ${first.budget} run's`);

    const equal: Record<string, boolean> = {};
    for (const backend of o.llama) {
      log(`llama.cpp (${backend})`);
      try {
        const l: LlamaRun = await runLlama({
          modelPath,
          promptIds: o.promptIds,
          maxTokens: o.maxTokens,
          backend,
          ...(o.llamaThreads ? { threads: o.llamaThreads } : {}),
        });
        equal[backend] = l.ids.join() === first.ids.join();
        result[`llama_${backend}`] = {
          ids: l.ids,
          prefill_tok_s: round(l.prefillTokS),
          decode_tok_s: round(l.decodeTokS),
          devices: l.devices,
          gpu_layers: l.gpuLayers,
        };
        const ratio = (ours: number | null, theirs: number) => (ours === null ? '-' : (ours / theirs).toFixed(2));
        out(
          `llama.cpp ${backend}${l.devices.length ? ` (${l.devices.join(', ')}, ${l.gpuLayers} layers on the GPU)` : ''}: prefill ${l.prefillTokS.toFixed(1)} tok/s, decode ${l.decodeTokS.toFixed(2)} tok/s;` +
            ` ours/llama.cpp: prefill ${ratio(first.prefill_tok_s, l.prefillTokS)}, decode ${ratio(first.decode_tok_s, l.decodeTokS)}; greedy tokens ${equal[backend] ? 'equal ours' : 'DIFFER from ours'}`,
        );
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0]!;
        result[`llama_${backend}`] = { error: msg };
        out(`llama.cpp ${backend}: not run: ${msg}`);
      }
    }
    result.llama_ids_equal = equal;

    const kernels: Record<string, unknown>[] = [];
    if (o.kernelTypes.length) {
      out('');
      out(
        `kernel efficiency: matvec ${o.kernelRows} x ${o.kernelCols}, its GB/s (weight bytes / time) over a copy's of the same bytes (read + written / time)`,
      );
    }
    for (const type of o.kernelTypes) {
      const t = ggmlTypeByName(type);
      if (o.kernelCols % t.blockWeights !== 0) {
        out(`  ${type.padEnd(8)} skipped: ${o.kernelCols} columns are not whole blocks of ${t.blockWeights}`);
        continue;
      }
      const bytes = o.kernelRows * (o.kernelCols / t.blockWeights) * t.blockBytes;
      // a GPU: enough copies that no cache holds them (~256 MB), samples long enough to time well
      const opts: KernelEfficiencyOptions = adapter.software
        ? { type, rows: o.kernelRows, cols: o.kernelCols, buffers: 1, dispatches: 1, warmup: 1, samples: 3 }
        : (() => {
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
          })();
      try {
        const k = await kernelEfficiency(opts);
        kernels.push({
          type,
          timing: k.timing,
          matvec_gb_s: round(k.matvec.gbPerS),
          copy_gb_s: round(k.copy.gbPerS),
          ratio: round(k.ratio),
          matvec_error: k.matvecError,
        });
        out(
          `  ${type.padEnd(8)} matvec ${k.matvec.gbPerS.toFixed(2).padStart(8)} GB/s  copy ${k.copy.gbPerS.toFixed(2).padStart(8)} GB/s  ratio ${(k.ratio * 100).toFixed(1).padStart(5)}%  (${k.timing})`,
        );
      } catch (e) {
        kernels.push({ type, error: (e as Error).message });
        out(`  ${type.padEnd(8)} failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    result.kernels = kernels;
    result.seconds = round((performance.now() - started) / 1000);
    log(`bench:node finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (o.json) out(JSON.stringify(result));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

// Dawn keeps the process alive while it has devices; the bench is done when main is.
void main().then(() => process.exit(process.exitCode ?? 0));
