/**
 * A loaded model and its conversation state. Each request gives the whole token sequence; the KV cache
 * keeps the longest prefix it shares with the previous one, and only the rest is fed.
 */
import { getManifest } from '../store/db';
import type { ModelManifest } from '../store/types';
import { DeepSeek2, type LoadOptions } from '../runtime/deepseek2';
import type { ExpertStats } from '../runtime/experts';
import { acquireGpu, type Gpu } from '../runtime/gpu';
import { KernelLibrary } from '../runtime/kernels';
import { greedyChoice, type Choice } from './readback-sampler';

export interface GenerateRequest {
  promptIds: readonly number[];
  maxTokens: number;
  /** generation stops after producing one of these (it is included in the output) */
  stopIds: readonly number[];
  /** return the full logits of the last prompt position */
  wantPromptLogits?: boolean;
  onToken?: (id: number) => void;
  signal?: AbortSignal;
}

export interface GenerateResult {
  ids: number[];
  top: [number, number][][];
  finishReason: 'stop' | 'length' | 'abort';
  promptTokens: number;
  /** prompt tokens whose KV came from the cache instead of being computed */
  reusedTokens: number;
  promptLogits?: Float32Array;
  prefillMs: number;
  decodeMs: number;
  experts: ExpertStats;
}

export class Engine {
  private cached: number[] = [];

  private constructor(
    readonly gpu: Gpu,
    readonly model: DeepSeek2,
  ) {}

  static async load(modelId: string, opts: Partial<LoadOptions>, onProgress?: (done: number, total: number) => void): Promise<Engine> {
    const manifest = await getManifest(modelId);
    if (!manifest) throw new Error(`No stored model has the id "${modelId}".`);
    if (manifest.state !== 'ready') throw new Error(`The model "${manifest.name}" is not completely imported yet; resume its import first.`);
    const gpu = await acquireGpu();
    try {
      const model = await DeepSeek2.load(gpu, new KernelLibrary(gpu.device), manifest, withDefaults(manifest, opts, gpu), onProgress);
      return new Engine(gpu, model);
    } catch (e) {
      gpu.device.destroy();
      throw e;
    }
  }

  get manifest(): ModelManifest {
    return this.model.manifest;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const prompt = req.promptIds;
    if (prompt.length === 0) throw new Error('The prompt is empty.');
    const before = { ...this.model.experts.stats };
    let reuse = 0;
    while (reuse < this.cached.length && reuse < prompt.length && this.cached[reuse] === prompt[reuse]) reuse++;
    reuse = Math.min(reuse, prompt.length - 1); // the last prompt token is always fed, for its logits
    this.cached = this.cached.slice(0, reuse);

    const t0 = performance.now();
    const batch = this.model.opts.maxBatch;
    for (let i = reuse; i < prompt.length; i += batch) {
      const chunk = prompt.slice(i, Math.min(prompt.length, i + batch));
      await this.model.step(chunk, this.cached.length);
      this.cached.push(...chunk);
    }
    const logits = await this.model.readLogits();
    const prefillMs = performance.now() - t0;
    const out: number[] = [];
    const top: Choice['top'][] = [];
    let finishReason: GenerateResult['finishReason'] = 'length';
    let choice = greedyChoice(logits);
    const t1 = performance.now();
    while (out.length < req.maxTokens) {
      out.push(choice.id);
      top.push(choice.top);
      req.onToken?.(choice.id);
      if (req.stopIds.includes(choice.id)) { finishReason = 'stop'; break; }
      if (req.signal?.aborted) { finishReason = 'abort'; break; }
      if (out.length === req.maxTokens) break;
      await this.model.step([choice.id], this.cached.length);
      this.cached.push(choice.id);
      choice = greedyChoice(await this.model.readLogits());
    }
    const s = this.model.experts.stats;
    return {
      ids: out, top, finishReason, promptTokens: prompt.length, reusedTokens: reuse,
      ...(req.wantPromptLogits ? { promptLogits: logits } : {}),
      prefillMs, decodeMs: performance.now() - t1,
      experts: { hits: s.hits - before.hits, misses: s.misses - before.misses, bytesRead: s.bytesRead - before.bytesRead },
    };
  }

  unload(): void {
    this.model.destroy();
    this.gpu.device.destroy();
  }
}

function withDefaults(m: ModelManifest, opts: Partial<LoadOptions>, gpu: Gpu): LoadOptions {
  const hp = m.hparams;
  const rowBytes = (hp.kvLoraRank + hp.qkRope) * 4;
  // The context is bounded by memory: a 1 GiB KV budget (and the largest binding), not a constant.
  const byMemory = Math.floor(Math.min(2 ** 30 / hp.nLayer, gpu.maxBinding) / rowBytes);
  return {
    expertBudgetBytes: opts.expertBudgetBytes ?? null,
    maxBatch: opts.maxBatch ?? 64,
    contextLength: Math.min(opts.contextLength ?? Infinity, hp.contextLength, byMemory),
  };
}
