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
import { contextLength as contextLengthFor, KV_RESERVE, kvBytesPerToken } from '../device/memory';
import { probeDevice } from '../device/probe';
import { expertBudgetFromDevice } from './budget';
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
    for (let i = reuse; i < prompt.length; i += batch) {
      const chunk = prompt.slice(i, Math.min(prompt.length, i + batch));
      const last = i + batch >= prompt.length;
      await this.model.step(chunk, this.cached.length, last ? sample : undefined);
      this.cached.push(...chunk);
    }
    let choice = await this.sampler.read();
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

  unload(): void {
    this.sampler.destroy();
    this.model.destroy();
    this.gpu.device.destroy();
  }
}

/**
 * The load's sizes from the memory model (device/memory.ts): the context the KV reserve holds (the
 * paged reserve when the device check found too little memory for every expert), then the expert
 * budget from what the device check measured. Options given win.
 */
async function withDefaults(m: ModelManifest, opts: Partial<LoadOptions>, gpu: Gpu): Promise<LoadOptions> {
  const hp = m.hparams;
  const memory = opts.expertBudgetBytes === undefined ? (await probeDevice()).gpuMemory : undefined;
  const paged = opts.expertBudgetBytes !== undefined ? opts.expertBudgetBytes !== null : memory?.kind === 'measured' && memory.hitLimit;
  const contextLength = contextLengthFor(hp, paged ? KV_RESERVE.paged : KV_RESERVE.resident, gpu.maxBinding, opts.contextLength);
  const expertBudgetBytes = opts.expertBudgetBytes !== undefined ? opts.expertBudgetBytes
    : expertBudgetFromDevice(m, memory!, contextLength * kvBytesPerToken(hp));
  return { expertBudgetBytes, maxBatch: opts.maxBatch ?? 64, contextLength, kvType: opts.kvType ?? 'F16' };
}
