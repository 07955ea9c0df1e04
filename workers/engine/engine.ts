/**
 * A loaded model and its conversation state. Each request gives the whole token sequence; the KV cache
 * keeps the longest prefix it shares with the previous one, and only the rest is fed. The next token
 * is picked on the GPU in the same submission as the forward pass; a step reads back 64 bytes.
 */
import { getManifest } from '../store/db';
import type { ModelManifest } from '../store/types';
import { DeepSeek2, type LoadOptions } from '../runtime/deepseek2';
import { statsSince, type ExpertStats } from '../runtime/experts';
import { defaultRamTierBytes } from '../runtime/ram-tier';
import { acquireGpu, type Gpu } from '../runtime/gpu';
import { KernelLibrary, type KernelOptions, type WorkCounters } from '../runtime/kernels';
import { GpuSampler, type SampleResult, type StepLogprobs, type TokenBias } from '../runtime/sampler';
import { resolveSamplingParams, type SamplingParams } from '../runtime/sampling-params';
import { maxBatchFor, planMemory } from '../device/memory';
import { probeDevice } from '../device/probe';
import { contextExceeded, DeviceLostError, ModelNotFoundError } from '../errors';

/** How many recent tokens the repetition penalty looks at (llama.cpp's default penalty window). */
const PENALTY_WINDOW = 64;

/**
 * web-llm's LogitProcessor, as the engine calls it: between the forward pass and the sampler, the
 * step's logits go to the CPU, `processLogits` returns the logits to sample from (written back to
 * the GPU, so penalties, temperature, top-p and the seed work as usual), and `processSampledToken`
 * sees the token picked. Either may be asynchronous (the processor may live on the page).
 */
export interface LogitHook {
  processLogits(logits: Float32Array): Float32Array | Promise<Float32Array>;
  processSampledToken(id: number): void | Promise<void>;
}

/** Per output token, in seconds: the stages of web-llm's `usage.extra.latencyBreakdown` this engine runs apart. */
export interface LatencyBreakdown {
  logitProcessorTime: number[];
  logitBiasTime: number[];
  penaltyTime: number[];
  sampleTime: number[];
  totalTime: number[];
  grammarBitmaskTime: number[];
}

/** Totals since the conversation was last reset without keepStats: web-llm's runtimeStatsText() figures. */
export interface RuntimeStats {
  prefillTokens: number;
  prefillSeconds: number;
  decodeTokens: number;
  decodeSeconds: number;
}

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
  onToken?: (id: number, logprobs?: StepLogprobs) => boolean | void | Promise<boolean | void>;
  signal?: AbortSignal;
  /** a logit processor: each step's logits make a trip to the CPU through it */
  logitHook?: LogitHook;
  /** time the sampling of each token apart from the forward pass (one more submit per token) */
  latencyBreakdown?: boolean;
  /** logit_bias, frequency and presence penalties (GpuSampler.setBias) */
  bias?: TokenBias;
  /** a grammar the output must follow (response_format) */
  constraint?: TokenConstraint;
  /** report this many top logprobs (0-5) with each token; absent: no logprobs */
  logprobs?: number;
}

/** What a grammar asks of generation: the tokens allowed next, and each token chosen. */
export interface TokenConstraint {
  /** the allowed tokens as mask words (bit i % 32 of word i / 32), or null when any token is */
  nextMask(): Promise<Int32Array<ArrayBuffer> | null>;
  /** a token was chosen; returns true once the grammar is complete (generation then stops) */
  accept(id: number): boolean;
  /** generation is over: free what the constraint holds */
  dispose(): void;
  /** seconds it took to set up (compile the grammar), and spent on the CPU per token so far */
  readonly timing: { readonly initS: number; readonly perTokenS: () => number };
}

export interface GenerateResult {
  ids: number[];
  top: [number, number][][];
  finishReason: 'stop' | 'length' | 'abort';
  promptTokens: number;
  /** prompt tokens whose KV came from the cache instead of being computed */
  reusedTokens: number;
  promptLogits?: Float32Array;
  /** per generated token, when asked for (GenerateRequest.logprobs) */
  logprobs?: StepLogprobs[];
  prefillMs: number;
  decodeMs: number;
  experts: ExpertStats;
  /** GPU work and expert paging of the decode steps (every token after the first), summed */
  decode: WorkCounters & ExpertStats & { steps: number };
  /** when asked for: the sampling stages' times per token (the penalties run inside the sampler) */
  latencyBreakdown?: LatencyBreakdown;
}

const GREEDY = resolveSamplingParams({ temperature: 0, seed: 0 });

export class Engine {
  private cached: number[] = [];
  /** steps sampled by forwardAndSample since the last reset: each seeds its draw */
  private forwardSteps = 0;
  /** set when the GPU device is lost: the engine is dead and must be loaded again */
  lost: string | undefined;
  readonly stats: RuntimeStats = { prefillTokens: 0, prefillSeconds: 0, decodeTokens: 0, decodeSeconds: 0 };

  private constructor(
    readonly gpu: Gpu,
    readonly model: DeepSeek2,
    private readonly sampler: GpuSampler,
    /** the kernels' forms on this device (row sums, f16 path) */
    readonly kernelOptions: KernelOptions,
  ) {
    void gpu.lost.then((message) => {
      this.lost = message;
    });
  }

  /**
   * Loads the stored model `modelId` onto a GPU device of its own. Throws ModelNotFoundError when it
   * is not stored whole, AbortError when `signal` aborts (then nothing is left on the GPU). `f16`
   * false keeps the f32 kernels where the device has shader-f16 (absent: the f16 path there).
   */
  static async load(
    modelId: string,
    opts: Partial<LoadOptions> & { f16?: boolean },
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<Engine> {
    const manifest = await getManifest(modelId);
    if (!manifest) throw new ModelNotFoundError(`No stored model has the id "${modelId}".`);
    if (manifest.state !== 'ready')
      throw new ModelNotFoundError(
        `The model "${manifest.name}" is not completely imported yet; resume its import first.`,
      );
    const gpu = await acquireGpu();
    try {
      const kernels = new KernelLibrary(gpu.device, opts.f16 === false ? { half: 'off' } : {});
      const model = await DeepSeek2.load(
        gpu,
        kernels,
        manifest,
        await withDefaults(manifest, opts, gpu),
        onProgress,
        signal,
      );
      return new Engine(
        gpu,
        model,
        new GpuSampler(gpu.device, kernels, manifest.hparams.nVocab, PENALTY_WINDOW),
        kernels.options,
      );
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

  /** Forget the conversation: the next request computes its whole prompt. `keepStats` keeps the totals. */
  reset(keepStats = false): void {
    this.cached = [];
    this.forwardSteps = 0;
    if (keepStats) return;
    Object.assign(this.stats, { prefillTokens: 0, prefillSeconds: 0, decodeTokens: 0, decodeSeconds: 0 });
  }

  generate(req: GenerateRequest): Promise<GenerateResult> {
    return this.guard(() => this.run(req));
  }

  /**
   * web-llm's forwardTokensAndSample: feeds `ids` after what the KV cache holds and picks the next
   * token with `params` (through `hook` when given). The picked token is not fed: pass it in the next
   * call. `isPrefill` only says which runtime stats the call counts in. Throws a RangeError for an
   * empty input or an id outside the vocabulary, ContextWindowSizeExceededError past the context.
   */
  forwardAndSample(
    ids: readonly number[],
    params: SamplingParams,
    isPrefill: boolean,
    hook?: LogitHook,
  ): Promise<number> {
    return this.guard(async () => {
      if (this.lost) throw new DeviceLostError(`${this.lost} Load the model again to continue.`);
      const nVocab = this.manifest.hparams.nVocab;
      if (ids.length === 0) throw new RangeError('forwardTokensAndSample needs at least one input id.');
      const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= nVocab);
      if (bad !== undefined)
        throw new RangeError(`Input id ${bad} is not a token id of this model (0 to ${nVocab - 1}).`);
      const end = this.cached.length + ids.length;
      if (end >= this.contextLength) throw contextExceeded(end, this.contextLength);
      const t0 = performance.now();
      this.sampler.setHistory([...this.cached, ...ids]);
      const step = this.forwardSteps++;
      const batch = this.model.opts.maxBatch;
      for (let i = 0; i < ids.length; i += batch) {
        const chunk = ids.slice(i, i + batch);
        const last = i + batch >= ids.length;
        const sample =
          last && !hook
            ? (enc: GPUCommandEncoder) => this.sampler.encode(enc, this.model.logits, 0, params, step)
            : undefined;
        await this.model.step(chunk, this.cached.length, sample);
        this.cached.push(...chunk);
      }
      const choice = hook ? await this.sampleApart(params, step, hook) : await this.sampler.read();
      const seconds = (performance.now() - t0) / 1000;
      if (isPrefill) {
        this.stats.prefillTokens += ids.length;
        this.stats.prefillSeconds += seconds;
      } else {
        this.stats.decodeTokens += 1;
        this.stats.decodeSeconds += seconds;
      }
      return choice.id;
    });
  }

  /** Runs `work`; a lost device shows up as a failed mapAsync or submit: report the loss, not the symptom. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      await Promise.race([this.gpu.lost, new Promise((r) => setTimeout(r, 50))]);
      if (this.lost) throw new DeviceLostError(`${this.lost} Load the model again to continue.`);
      throw e;
    }
  }

  /**
   * Samples the logits of the last step in a submit of its own: through `hook` first when given
   * (logits to the CPU and back), timing the stages into `times` when given.
   */
  private async sampleApart(
    params: SamplingParams,
    step: number,
    hook?: LogitHook,
    times?: LatencyBreakdown,
    logprobs?: number,
  ): Promise<SampleResult> {
    const t0 = performance.now();
    if (hook) {
      const raw = await this.model.readLogits();
      const t = performance.now();
      const processed = await hook.processLogits(raw);
      const n = this.manifest.hparams.nVocab;
      if (!(processed instanceof Float32Array) || processed.length !== n) {
        throw new TypeError(`processLogits must return a Float32Array of ${n} logits, got ${describe(processed)}.`);
      }
      times?.logitProcessorTime.push((performance.now() - t) / 1000);
      const bytes =
        processed.buffer instanceof ArrayBuffer
          ? (processed as Float32Array<ArrayBuffer>)
          : new Float32Array(processed);
      this.gpu.device.queue.writeBuffer(this.model.logits, 0, bytes);
    }
    const ts = performance.now();
    const enc = this.gpu.device.createCommandEncoder({ label: 'sampler' });
    this.sampler.encode(enc, this.model.logits, 0, params, step, logprobs);
    this.gpu.device.queue.submit([enc.finish()]);
    this.model.counters.submits++;
    const choice = await this.sampler.read();
    times?.sampleTime.push((performance.now() - ts) / 1000);
    if (hook) await hook.processSampledToken(choice.id);
    times?.totalTime.push((performance.now() - t0) / 1000);
    return choice;
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
    this.sampler.setBias(req.bias ?? {});
    const constraint = req.constraint;
    this.sampler.setMask(constraint ? await constraint.nextMask() : null);

    const t0 = performance.now();
    const batch = this.model.opts.maxBatch;
    let step = 0;
    // A logit processor or a latency breakdown samples in a submit of its own, after the forward pass.
    const times: LatencyBreakdown | undefined = req.latencyBreakdown
      ? {
          logitProcessorTime: [],
          logitBiasTime: [],
          penaltyTime: [],
          sampleTime: [],
          totalTime: [],
          grammarBitmaskTime: [],
        }
      : undefined;
    const apart = req.logitHook !== undefined || times !== undefined;
    const sample = apart
      ? undefined
      : (enc: GPUCommandEncoder) => this.sampler.encode(enc, this.model.logits, 0, params, step++, req.logprobs);
    const pick = () =>
      apart ? this.sampleApart(params, step++, req.logitHook, times, req.logprobs) : this.sampler.read();
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
    let choice = await pick();
    await req.onPrefill?.(prompt.length, prompt.length);
    const promptLogits = req.wantPromptLogits ? await this.model.readLogits() : undefined;
    const prefillMs = performance.now() - t0;

    const out: number[] = [];
    const top: [number, number][][] = [];
    const logprobs: StepLogprobs[] = [];
    let finishReason: GenerateResult['finishReason'] = 'length';
    const c = this.model.counters;
    const c0 = { ...c };
    const e0 = { ...this.model.experts.stats };
    let steps = 0;
    const t1 = performance.now();
    for (;;) {
      out.push(choice.id);
      top.push(choice.top);
      if (choice.logprobs) logprobs.push(choice.logprobs);
      this.sampler.appendHistory(choice.id);
      const complete = constraint?.accept(choice.id) ?? false;
      if ((await req.onToken?.(choice.id, choice.logprobs)) === true || req.stopIds.includes(choice.id) || complete) {
        finishReason = 'stop';
        break;
      }
      if (req.signal?.aborted) {
        finishReason = 'abort';
        break;
      }
      if (out.length >= req.maxTokens || this.cached.length + 1 >= this.contextLength) break;
      if (constraint) this.sampler.setMask(await constraint.nextMask());
      await this.model.step([choice.id], this.cached.length, sample);
      this.cached.push(choice.id);
      choice = await pick();
      c.readbacks++;
      steps++;
    }
    const s = this.model.experts.stats;
    const decodeMs = performance.now() - t1;
    this.stats.prefillTokens += prompt.length - reuse;
    this.stats.prefillSeconds += prefillMs / 1000;
    this.stats.decodeTokens += steps;
    this.stats.decodeSeconds += decodeMs / 1000;
    return {
      ids: out,
      top,
      finishReason,
      promptTokens: prompt.length,
      reusedTokens: reuse,
      ...(promptLogits ? { promptLogits } : {}),
      ...(req.logprobs !== undefined ? { logprobs } : {}),
      prefillMs,
      decodeMs,
      ...(times ? { latencyBreakdown: times } : {}),
      experts: statsSince(s, before),
      decode: {
        steps,
        dispatches: c.dispatches - c0.dispatches,
        submits: c.submits - c0.submits,
        readbacks: c.readbacks - c0.readbacks,
        weightBytes: c.weightBytes - c0.weightBytes,
        ...statsSince(s, e0),
      },
    };
  }

  /** The result of a request aborted during its prefill: nothing generated. */
  private aborted(promptTokens: number, reusedTokens: number, before: ExpertStats, prefillMs: number): GenerateResult {
    const s = this.model.experts.stats;
    return {
      ids: [],
      top: [],
      finishReason: 'abort',
      promptTokens,
      reusedTokens,
      prefillMs,
      decodeMs: 0,
      experts: statsSince(s, before),
      decode: { steps: 0, dispatches: 0, submits: 0, readbacks: 0, weightBytes: 0, ...statsSince(s, s) },
    };
  }

  unload(): void {
    this.sampler.destroy();
    this.model.destroy();
    this.gpu.device.destroy();
  }
}

/** A value's kind for an error message: 'null', a constructor's name, or its typeof. */
function describe(v: unknown): string {
  if (v instanceof Float32Array) return `a Float32Array of ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

/**
 * The load's sizes from the memory model (device/memory.ts): the expert cache and the context from
 * what the device check measured (planMemory), the prefill batch from the device's limits and memory
 * (maxBatchFor), and the RAM tier from navigator.deviceMemory (ram-tier.ts). Options given win.
 */
async function withDefaults(m: ModelManifest, opts: Partial<LoadOptions>, gpu: Gpu): Promise<LoadOptions> {
  const hp = m.hparams;
  const kvType = opts.kvType ?? 'F16';
  // A load with an expert budget has decided how it uses the GPU: no probe.
  const gpuMemory = opts.expertBudgetBytes === undefined ? (await probeDevice()).gpuMemory : undefined;
  const plan = planMemory({
    hp,
    kvType,
    gpu: gpuMemory,
    maxBinding: gpu.maxBinding,
    denseBytes: m.dense.reduce((n, t) => n + t.nRows * t.rowStride, 0),
    expertBytes: m.experts.reduce((n, l) => n + l.recordBytes * hp.nExpert, 0),
    requested: {
      ...(opts.contextLength ? { contextLength: opts.contextLength } : {}),
      ...(opts.expertBudgetBytes !== undefined ? { expertBudgetBytes: opts.expertBudgetBytes } : {}),
    },
  });
  const maxBatch = Math.min(opts.maxBatch ?? maxBatchFor(hp, gpu.device.limits), plan.contextLength);
  const ramTierBytes = opts.ramTierBytes ?? defaultRamTierBytes((navigator as { deviceMemory?: number }).deviceMemory);
  return {
    expertBudgetBytes: plan.expertBudgetBytes,
    maxBatch,
    contextLength: plan.contextLength,
    kvType,
    ramTierBytes,
    prefetch: opts.prefetch ?? true,
  };
}
