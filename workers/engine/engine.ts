/**
 * A loaded model and its conversation state. Each request gives the whole token sequence; the KV cache
 * keeps the longest prefix it shares with the previous one, and only the rest is fed. The next token
 * is picked on the GPU in the same submission as the forward pass; a step reads back 64 bytes.
 */
import { getManifest } from '../store/db';
import type { ModelManifest } from '../store/types';
import { DeepSeek2, type LoadOptions } from '../runtime/deepseek2';
import type { ExpertStats } from '../runtime/experts';
import { acquireGpu, type Gpu } from '../runtime/gpu';
import { KernelLibrary, type WorkCounters } from '../runtime/kernels';
import { GpuSampler } from '../runtime/sampler';
import { resolveSamplingParams, type SamplingParams } from '../runtime/sampling-params';
import { maxBatchFor, planMemory } from '../device/memory';
import { probeDevice } from '../device/probe';
import { contextExceeded, DeviceLostError, ModelNotFoundError } from '../errors';

/** How many recent tokens the repetition penalty looks at (llama.cpp's default penalty window). */
const PENALTY_WINDOW = 64;

export interface GenerateRequest {
  promptIds: readonly number[];
  maxTokens: number;
  /** generation stops after producing one of these (it is included in the output) */
  stopIds: readonly number[];
  /** absent: greedy */
  sampling?: SamplingParams;
  /** return the full logits of the last prompt position (one extra read-back) */
  wantPromptLogits?: boolean;
  /**
   * sees the prefill's progress after each step: prompt tokens processed so far (those the KV cache
   * gave included) and the prompt's length
   */
  onPrefill?: (done: number, total: number) => void | Promise<void>;
  /**
   * sees each token as it is chosen; returning true ends generation after it. It is awaited, so a
   * consumer in another thread receives every token before the request's result.
   */
  onToken?: (id: number) => boolean | void | Promise<boolean | void>;
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
  /** GPU work and expert paging of the decode steps (every token after the first), summed */
  decode: WorkCounters & ExpertStats & { steps: number };
}

const GREEDY = resolveSamplingParams({ temperature: 0, seed: 0 });

export class Engine {
  private cached: number[] = [];
  /** set when the GPU device is lost: the engine is dead and must be loaded again */
  lost: string | undefined;

  private constructor(
    readonly gpu: Gpu,
    readonly model: DeepSeek2,
    private readonly sampler: GpuSampler,
  ) {
    void gpu.lost.then((message) => { this.lost = message; });
  }

  /**
   * Loads the stored model `modelId` onto a GPU device of its own. Throws ModelNotFoundError when it
   * is not stored whole, AbortError when `signal` aborts (then nothing is left on the GPU).
   */
  static async load(modelId: string, opts: Partial<LoadOptions>, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Engine> {
    const manifest = await getManifest(modelId);
    if (!manifest) throw new ModelNotFoundError(`No stored model has the id "${modelId}".`);
    if (manifest.state !== 'ready') throw new ModelNotFoundError(`The model "${manifest.name}" is not completely imported yet; resume its import first.`);
    const gpu = await acquireGpu();
    try {
      const kernels = new KernelLibrary(gpu.device);
      const model = await DeepSeek2.load(gpu, kernels, manifest, await withDefaults(manifest, opts, gpu), onProgress, signal);
      return new Engine(gpu, model, new GpuSampler(gpu.device, kernels, manifest.hparams.nVocab, PENALTY_WINDOW));
    } catch (e) {
      gpu.device.destroy();
      throw e;
    }
  }

  get manifest(): ModelManifest {
    return this.model.manifest;
  }

  get contextLength(): number {
    return this.model.opts.contextLength;
  }

  /** Forget the conversation: the next request computes its whole prompt. */
  reset(): void {
    this.cached = [];
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    try {
      return await this.run(req);
    } catch (e) {
      // A lost device shows up as a failed mapAsync or submit; report the loss, not the symptom.
      await Promise.race([this.gpu.lost, new Promise((r) => setTimeout(r, 50))]);
      if (this.lost) throw new DeviceLostError(`${this.lost} Load the model again to continue.`);
      throw e;
    }
  }

  private async run(req: GenerateRequest): Promise<GenerateResult> {
    if (this.lost) throw new DeviceLostError(`${this.lost} Load the model again to continue.`);
    const prompt = req.promptIds;
    if (prompt.length === 0) throw new Error('The prompt is empty.');
    if (prompt.length >= this.contextLength) throw contextExceeded(prompt.length, this.contextLength);
    const params = req.sampling ?? GREEDY;
    const before = { ...this.model.experts.stats };
    let reuse = 0;
    while (reuse < this.cached.length && reuse < prompt.length && this.cached[reuse] === prompt[reuse]) reuse++;
    reuse = Math.min(reuse, prompt.length - 1); // the last prompt token is always fed, for its logits
    this.cached = this.cached.slice(0, reuse);
    this.sampler.setHistory(prompt);

    const t0 = performance.now();
    const batch = this.model.opts.maxBatch;
    let step = 0;
    const sample = (enc: GPUCommandEncoder) => this.sampler.encode(enc, this.model.logits, 0, params, step++);
    await req.onPrefill?.(reuse, prompt.length);
    for (let i = reuse; i < prompt.length; i += batch) {
      // An abort takes effect between steps: a long prompt stops within one batch. What was fed stays
      // in the KV cache, for a later request that shares the prefix.
      if (req.signal?.aborted) return this.aborted(prompt.length, reuse, before, performance.now() - t0);
      const chunk = prompt.slice(i, Math.min(prompt.length, i + batch));
      const last = i + batch >= prompt.length;
      await this.model.step(chunk, this.cached.length, last ? sample : undefined);
      this.cached.push(...chunk);
      if (!last) {
        // wait for the step, so that progress reports what the GPU has done and an abort comes soon
        await this.gpu.device.queue.onSubmittedWorkDone();
        await req.onPrefill?.(this.cached.length, prompt.length);
      }
    }
    let choice = await this.sampler.read();
    await req.onPrefill?.(prompt.length, prompt.length);
    const promptLogits = req.wantPromptLogits ? await this.model.readLogits() : undefined;
    const prefillMs = performance.now() - t0;

    const out: number[] = [];
    const top: [number, number][][] = [];
    let finishReason: GenerateResult['finishReason'] = 'length';
    const c = this.model.counters;
    const c0 = { ...c };
    const e0 = { ...this.model.experts.stats };
    let steps = 0;
    const t1 = performance.now();
    for (;;) {
      out.push(choice.id);
      top.push(choice.top);
      this.sampler.appendHistory(choice.id);
      if ((await req.onToken?.(choice.id)) === true || req.stopIds.includes(choice.id)) { finishReason = 'stop'; break; }
      if (req.signal?.aborted) { finishReason = 'abort'; break; }
      if (out.length >= req.maxTokens || this.cached.length + 1 >= this.contextLength) break;
      await this.model.step([choice.id], this.cached.length, sample);
      this.cached.push(choice.id);
      choice = await this.sampler.read();
      c.readbacks++;
      steps++;
    }
    const s = this.model.experts.stats;
    return {
      ids: out, top, finishReason, promptTokens: prompt.length, reusedTokens: reuse,
      ...(promptLogits ? { promptLogits } : {}),
      prefillMs, decodeMs: performance.now() - t1,
      experts: { hits: s.hits - before.hits, misses: s.misses - before.misses, bytesRead: s.bytesRead - before.bytesRead },
      decode: {
        steps, dispatches: c.dispatches - c0.dispatches, submits: c.submits - c0.submits, readbacks: c.readbacks - c0.readbacks, weightBytes: c.weightBytes - c0.weightBytes,
        hits: s.hits - e0.hits, misses: s.misses - e0.misses, bytesRead: s.bytesRead - e0.bytesRead,
      },
    };
  }

  /** The result of a request aborted during its prefill: nothing generated. */
  private aborted(promptTokens: number, reusedTokens: number, before: ExpertStats, prefillMs: number): GenerateResult {
    const s = this.model.experts.stats;
    const experts = { hits: s.hits - before.hits, misses: s.misses - before.misses, bytesRead: s.bytesRead - before.bytesRead };
    return {
      ids: [], top: [], finishReason: 'abort', promptTokens, reusedTokens, prefillMs, decodeMs: 0, experts,
      decode: { steps: 0, dispatches: 0, submits: 0, readbacks: 0, weightBytes: 0, hits: 0, misses: 0, bytesRead: 0 },
    };
  }

  unload(): void {
    this.sampler.destroy();
    this.model.destroy();
    this.gpu.device.destroy();
  }
}

/**
 * The load's sizes from the memory model (device/memory.ts): the expert cache and the context from
 * what the device check measured (planMemory), the prefill batch from the device's limits and memory
 * (maxBatchFor). Options given win.
 */
async function withDefaults(m: ModelManifest, opts: Partial<LoadOptions>, gpu: Gpu): Promise<LoadOptions> {
  const hp = m.hparams;
  const kvType = opts.kvType ?? 'F16';
  // A load with an expert budget has decided how it uses the GPU: no probe.
  const gpuMemory = opts.expertBudgetBytes === undefined ? (await probeDevice()).gpuMemory : undefined;
  const plan = planMemory({
    hp, kvType, gpu: gpuMemory, maxBinding: gpu.maxBinding,
    denseBytes: m.dense.reduce((n, t) => n + t.nRows * t.rowStride, 0),
    expertBytes: m.experts.reduce((n, l) => n + l.recordBytes * hp.nExpert, 0),
    requested: { ...(opts.contextLength ? { contextLength: opts.contextLength } : {}), ...(opts.expertBudgetBytes !== undefined ? { expertBudgetBytes: opts.expertBudgetBytes } : {}) },
  });
  const maxBatch = Math.min(opts.maxBatch ?? maxBatchFor(hp, gpu.device.limits), plan.contextLength);
  return { expertBudgetBytes: plan.expertBudgetBytes, maxBatch, contextLength: plan.contextLength, kvType };
}
