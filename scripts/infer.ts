/**
 * npm run infer -- --model <file.gguf> (--tokens 1,2,3 | --prompt "raw text" | --chat "user message")
 *                  --max-tokens N [--json] [--dump-logits <path>] [--expert-budget <MB>] [--kv f16|f32]
 * Imports the file through the real model store and runs the real runtime in headless Chromium.
 * Greedy decoding. With --json the last line of stdout is
 *   {"prompt_ids": [...], "ids": [...], "top": [[[id, logit] x5] per step], "experts"?: {hits, misses}}
 */
import { writeFileSync } from 'node:fs';
import type { PromptSpec } from '../workers/engine/prompts';
import { fail, parseArgs } from './gguf-file';
import { openSession, pageErrorMessage } from './harness-session';

async function main() {
  let args: Map<string, string>;
  try {
    args = parseArgs(process.argv.slice(2), ['json']);
  } catch (e) {
    fail((e as Error).message);
  }
  const model = args.get('model');
  const maxTokens = Number(args.get('max-tokens') ?? 16);
  const sources = ['tokens', 'prompt', 'chat'].filter((k) => args.has(k));
  if (!model || sources.length !== 1 || !Number.isInteger(maxTokens) || maxTokens < 1) {
    fail('usage: npm run infer -- --model <file.gguf> (--tokens 1,2,3 | --prompt "text" | --chat "message") --max-tokens N [--json] [--dump-logits path] [--expert-budget MB] [--kv f16|f32]');
  }
  const kv = args.get('kv');
  if (kv !== undefined && kv !== 'f16' && kv !== 'f32') fail('--kv must be f16 or f32');
  const kvType = kv === 'f32' ? 'F32' as const : kv === 'f16' ? 'F16' as const : undefined;
  const budget = args.has('expert-budget') ? Number(args.get('expert-budget')) : undefined;
  if (budget !== undefined && !(budget > 0)) fail('--expert-budget must be a positive number of MB');
  const tokens = args.has('tokens') ? args.get('tokens')!.split(',').map(Number) : undefined;
  if (tokens?.some((t) => !Number.isInteger(t) || t < 0)) fail('--tokens must be comma-separated token ids');
  const prompt: PromptSpec | undefined = args.has('prompt') ? { kind: 'raw', text: args.get('prompt')! }
    : args.has('chat') ? { kind: 'chat', messages: [{ role: 'user', content: args.get('chat')! }] } : undefined;

  let session;
  try {
    session = await openSession(model);
  } catch (e) {
    fail((e as Error).message);
  }
  try {
    const out = await session.page.evaluate(async ({ url, tokens, prompt, maxTokens, budget, kvType }) => {
      const { engine, Comlink } = window.liteCoderHarness;
      const e = engine();
      const m = await e.importModel({ kind: 'url', url }, Comlink.proxy(() => {}));
      await e.loadModel(m.id, { ...(budget === undefined ? {} : { expertBudgetMB: budget }), ...(kvType ? { kvType } : {}) }, Comlink.proxy(() => {}));
      const promptIds = tokens ?? await e.encodePrompt(m.id, prompt!);
      const r = await e.generateTokens({ promptIds, maxTokens, wantPromptLogits: true });
      return { promptIds, r };
    }, { url: session.modelUrl, tokens, prompt, maxTokens, budget, kvType });
    if (args.has('dump-logits')) writeFileSync(args.get('dump-logits')!, new Uint8Array(new Float32Array(out.r.promptLogits!).buffer));
    const result = {
      prompt_ids: out.promptIds,
      ids: out.r.ids,
      top: out.r.top,
      ...(budget !== undefined ? { experts: { hits: out.r.experts.hits, misses: out.r.experts.misses } } : {}),
    };
    if (args.has('json')) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(`prompt: ${out.promptIds.length} tokens; generated ${out.r.ids.length} (${out.r.finishReason}) in ${(out.r.decodeMs / 1000).toFixed(2)} s\n`);
      process.stdout.write(`ids: ${out.r.ids.join(',')}\n`);
    }
  } catch (e) {
    fail(pageErrorMessage(e));
  } finally {
    await session.close();
  }
}

void main();
