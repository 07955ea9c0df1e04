/**
 * npm run infer -- --model <file.gguf> (--tokens 1,2,3 | --prompt "raw text" | --chat "user message")
 *                  --max-tokens N [--json] [--dump-logits <path>] [--expert-budget <MB>] [--kv f16|f32]
 *                  [--ram-tier <MB>] [--stats]
 * Imports the file through the real model store and runs the real runtime in headless Chromium.
 * Greedy decoding. With --json the last line of stdout is
 *   {"prompt_ids": [...], "ids": [...], "top": [[[id, logit] x5] per step], "experts"?: {hits, misses},
 *    "stats"?: {...}}
 * --stats prints the figures of a run (to stderr, and as "stats" with --json): import MB/s, the peak
 * memory of the browser's processes during import, load and generation (their summed resident sets,
 * sampled from /proc), load time, time to first token, decode tokens/s, MB read from IndexedDB per
 * decoded token and the expert cache's hit rate.
 */
import { writeFileSync } from 'node:fs';
import type { PromptSpec } from '../workers/engine/prompts';
import { fail, parseArgs } from './gguf-file';
import { openSession, pageErrorMessage } from './harness-session';
import { PeakMemory } from './process-memory';

const MB = 1e6;

async function main() {
  let args: Map<string, string>;
  try {
    args = parseArgs(process.argv.slice(2), ['json', 'stats']);
  } catch (e) {
    fail((e as Error).message);
  }
  const model = args.get('model');
  const maxTokens = Number(args.get('max-tokens') ?? 16);
  const sources = ['tokens', 'prompt', 'chat'].filter((k) => args.has(k));
  if (!model || sources.length !== 1 || !Number.isInteger(maxTokens) || maxTokens < 1) {
    fail(
      'usage: npm run infer -- --model <file.gguf> (--tokens 1,2,3 | --prompt "text" | --chat "message") --max-tokens N [--json] [--dump-logits path] [--expert-budget MB] [--kv f16|f32] [--ram-tier MB] [--stats]',
    );
  }
  const kv = args.get('kv');
  if (kv !== undefined && kv !== 'f16' && kv !== 'f32') fail('--kv must be f16 or f32');
  const kvType = kv === 'f32' ? ('F32' as const) : kv === 'f16' ? ('F16' as const) : undefined;
  const budget = args.has('expert-budget') ? Number(args.get('expert-budget')) : undefined;
  if (budget !== undefined && !(budget > 0)) fail('--expert-budget must be a positive number of MB');
  // paged: the expert records kept in memory (0: none, so every miss reads IndexedDB); absent: the default
  const ramTier = args.has('ram-tier') ? Number(args.get('ram-tier')) : undefined;
  if (ramTier !== undefined && !(ramTier >= 0)) fail('--ram-tier must be a number of MB, 0 or more');
  const tokens = args.has('tokens') ? args.get('tokens')!.split(',').map(Number) : undefined;
  if (tokens?.some((t) => !Number.isInteger(t) || t < 0)) fail('--tokens must be comma-separated token ids');
  const prompt: PromptSpec | undefined = args.has('prompt')
    ? { kind: 'raw', text: args.get('prompt')! }
    : args.has('chat')
      ? { kind: 'chat', messages: [{ role: 'user', content: args.get('chat')! }] }
      : undefined;
  const stats = args.has('stats');
  const say = (line: string) => {
    if (stats) process.stderr.write(`${line}\n`);
  };

  const memory = new PeakMemory();
  let session;
  try {
    session = await openSession(model);
  } catch (e) {
    memory.stop();
    fail((e as Error).message);
  }
  try {
    const page = session.page;
    memory.take();
    let t0 = performance.now();
    const imported = await page.evaluate(async (url) => {
      const { engine, Comlink } = window.liteCoderHarness;
      const m = await engine().importModel(
        { kind: 'url', url },
        Comlink.proxy(() => {}),
      );
      return { id: m.id, bytes: m.fileSize };
    }, session.modelUrl);
    const importS = (performance.now() - t0) / 1000;
    const importPeak = memory.take();
    say(
      `import: ${(imported.bytes / MB).toFixed(0)} MB file imported in ${importS.toFixed(1)} s (${(imported.bytes / MB / importS).toFixed(1)} MB/s), peak browser memory ${(importPeak / MB).toFixed(0)} MB`,
    );
    t0 = performance.now();
    const loaded = await page.evaluate(
      async ({ id, budget, kvType, ramTier }) => {
        const { engine, Comlink } = window.liteCoderHarness;
        return engine().loadModel(
          id,
          {
            ...(budget === undefined ? {} : { expertBudgetMB: budget }),
            ...(kvType ? { kvType } : {}),
            ...(ramTier === undefined ? {} : { ramTierMB: ramTier }),
          },
          Comlink.proxy(() => {}),
        );
      },
      { id: imported.id, budget, kvType, ramTier },
    );
    const loadS = (performance.now() - t0) / 1000;
    const loadPeak = memory.take();
    say(
      `load: ${loadS.toFixed(1)} s, ${loaded.resident ? 'resident' : `paged, ${loaded.slots} expert slots`}, context ${loaded.contextLength}, batch ${loaded.maxBatch}, KV ${loaded.kvType}; peak browser memory ${(loadPeak / MB).toFixed(0)} MB`,
    );
    const out = await page.evaluate(
      async ({ id, tokens, prompt, maxTokens }) => {
        const { engine, Comlink } = window.liteCoderHarness;
        const e = engine();
        const promptIds = tokens ?? (await e.encodePrompt(id, prompt!));
        const started = performance.now();
        let firstAt = 0;
        const r = await e.generateTokens(
          { promptIds, maxTokens, wantPromptLogits: true },
          Comlink.proxy(() => {
            firstAt ||= performance.now();
          }),
        );
        return { promptIds, r, ttftMs: firstAt - started };
      },
      { id: imported.id, tokens, prompt, maxTokens },
    );
    const genPeak = memory.take();
    const r = out.r;
    const looked = r.experts.hits + r.experts.misses;
    const figures = {
      import_mb: imported.bytes / MB,
      import_s: importS,
      import_mb_per_s: imported.bytes / MB / importS,
      import_peak_mb: importPeak / MB,
      load_s: loadS,
      load_peak_mb: loadPeak / MB,
      generate_peak_mb: genPeak / MB,
      resident: loaded.resident,
      expert_slots: loaded.slots,
      context: loaded.contextLength,
      max_batch: loaded.maxBatch,
      kv: loaded.kvType,
      prompt_tokens: out.promptIds.length,
      prefill_s: r.prefillMs / 1000,
      time_to_first_token_s: out.ttftMs / 1000,
      decode_tokens_per_s: r.decode.steps > 0 ? r.decode.steps / (r.decodeMs / 1000) : 0,
      idb_mb_per_decoded_token: r.decode.steps > 0 ? r.decode.bytesRead / MB / r.decode.steps : 0,
      idb_mb_prefill: (r.experts.bytesRead - r.decode.bytesRead) / MB,
      expert_hit_rate: looked > 0 ? r.experts.hits / looked : 1,
    };
    say(
      `generate: ${out.promptIds.length}-token prompt, first token after ${figures.time_to_first_token_s.toFixed(1)} s; ${r.ids.length} tokens, decode ${figures.decode_tokens_per_s.toFixed(3)} tok/s; ` +
        `IndexedDB ${figures.idb_mb_per_decoded_token.toFixed(1)} MB per decoded token (${figures.idb_mb_prefill.toFixed(0)} MB during the prefill); expert hit rate ${(100 * figures.expert_hit_rate).toFixed(1)}%; peak browser memory ${figures.generate_peak_mb.toFixed(0)} MB`,
    );
    if (args.has('dump-logits'))
      writeFileSync(args.get('dump-logits')!, new Uint8Array(new Float32Array(r.promptLogits!).buffer));
    const result = {
      prompt_ids: out.promptIds,
      ids: r.ids,
      top: r.top,
      ...(budget !== undefined ? { experts: { hits: r.experts.hits, misses: r.experts.misses } } : {}),
      ...(stats ? { stats: figures } : {}),
    };
    if (args.has('json')) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `prompt: ${out.promptIds.length} tokens; generated ${r.ids.length} (${r.finishReason}) in ${(r.decodeMs / 1000).toFixed(2)} s\n`,
      );
      process.stdout.write(`ids: ${r.ids.join(',')}\n`);
    }
  } catch (e) {
    fail(pageErrorMessage(e));
  } finally {
    memory.stop();
    await session.close();
  }
}

void main();
