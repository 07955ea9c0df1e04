/**
 * Picks the next token on the GPU, so that a step reads back 64 bytes (the id and the top 5 raw
 * logits) instead of the whole vocabulary of logits.
 *
 * The work goes into the caller's command encoder, after the forward pass, in the same submit:
 *
 *   const pass = encoder.beginComputePass();
 *   ...forward pass dispatches...
 *   sampler.encodeCompute(pass, logits, logitsOffsetBytes, params, step);
 *   pass.end();
 *   sampler.encodeReadback(encoder);
 *   device.queue.submit([encoder.finish()]);
 *   const { id, top } = await sampler.read();   // the one mapAsync of the step
 *   sampler.appendHistory(id);
 *
 * Passes (kernels/sample*.wgsl; their headers hold the details):
 *   sample_prep    logits → masked (grammar), penalized, biased, tempered keys; per-invocation top-5
 *                  raw and argmax
 *   sample_hist    ┐ radix select of the top C keys, 8 bits a level, at most 7 levels; levels after
 *   sample_scan    ┘ the select is decided return at once
 *   sample_collect the top C (key, id) pairs
 *   sample_top     merges the top-5 raw logits, and the argmax (the pick, when greedy)
 *   sample         sorts the candidates; softmax, top-p, draw
 *   sample_logprob when logprobs are asked for: log-softmax over the keys, for the pick and the top 5
 * Greedy runs sample_prep and sample_top only (and sample_logprob). The CPU reference is
 * sampling-reference.ts.
 *
 * Beyond the repetition penalty (over a window of recent tokens, prompt included), a step can take an
 * additive bias per token (setBias: logit_bias, and frequency and presence penalties over the tokens
 * generated since) and a grammar's mask of allowed tokens (setMask).
 * Only sample_top and sample (one workgroup each) use barriers: on SwiftShader a shader with barriers
 * runs many times slower, so the passes over the whole vocabulary do without.
 */
import { bindGroup, encodeDispatches, type Constants, type Dispatch, type KernelLibrary } from './kernels';
import { packParams, SAMPLE_PARAMS } from './params';
import { MAX_CANDIDATES, samplingPlan, type SamplingParams } from './sampling-params';

/** The log-probabilities of a step (natural log), over the distribution the pick was made from. */
export interface StepLogprobs {
  /** of the picked token */
  readonly logprob: number;
  /** the most likely tokens as [id, logprob], most likely first (as many as asked for, up to 5) */
  readonly top: [number, number][];
}

export interface SampleResult {
  readonly id: number;
  /** the 5 highest raw logits (before penalty and temperature) as [id, logit], highest first */
  readonly top: [number, number][];
  /** candidates the draw considered (1 when greedy) */
  readonly candidates: number;
  /** candidates left after the top-p cut (1 when greedy) */
  readonly kept: number;
  /** sum over the candidates of exp(v_c - v_0): 1 / the top candidate's probability (1 when greedy) */
  readonly weightSum: number;
  /** when the step was asked for logprobs */
  readonly logprobs?: StepLogprobs;
}

/** An additive bias per token: logit_bias, and OpenAI's frequency and presence penalties. */
export interface TokenBias {
  /** token id → value added to its logit */
  readonly logitBias?: ReadonlyMap<number, number>;
  /** subtracted once per time the token was generated since setBias */
  readonly frequency?: number;
  /** subtracted once if the token was generated since setBias */
  readonly presence?: number;
}

const WG = 256;
const PER_INVOCATION = 32; // logits each invocation of prep/hist/collect reads
/** The kernels' override constants (their WGSL `override` declarations). */
const CONSTANTS: Readonly<Record<string, Constants>> = {
  sample_prep: { WG, PER: PER_INVOCATION },
  sample_hist: { WG, PER: PER_INVOCATION },
  sample_collect: { WG, PER: PER_INVOCATION },
  sample_scan: {},
  sample_top: { WG },
  sample: { WG, MAX_CAND: MAX_CANDIDATES },
  sample_logprob: { WG },
};
const SELECT_LEVELS = 7; // 32 key bits + 24 id bits, 8 a level
const RECORD_WORDS = 12; // sample_prep's per-invocation record
const RESULT_BYTES = 64;
const LOGPROB_BYTES = 64; // sample_logprob's result, read back after the step's own
const NONE = 0xffffffff;
const MAX_VOCAB = 1 << 24; // the select's id digits hold 24 bits

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function bitsToFloat(b: number): number {
  u32[0] = b;
  return f32[0]!;
}
const ZERO_PARAMS = Object.fromEntries(Object.keys(SAMPLE_PARAMS).map((k) => [k, 0])) as Record<
  keyof typeof SAMPLE_PARAMS,
  number
>;
const keyToFloat = (k: number): number => bitsToFloat(k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0);

export class GpuSampler {
  private readonly groups: number;
  private readonly records: number;
  private readonly params: GPUBuffer;
  /** the history set, then the grammar mask: ceil(V/32) words each */
  private readonly bits: GPUBuffer;
  /** the additive bias per token (f32[V]) */
  private readonly bias: GPUBuffer;
  private readonly logprob: GPUBuffer;
  private readonly keys: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly hist: GPUBuffer;
  private readonly state: GPUBuffer;
  private readonly cand: GPUBuffer;
  private readonly result: GPUBuffer;
  private readonly readback: GPUBuffer;
  private readonly select: readonly Dispatch[];
  private readonly top: Dispatch;
  private readonly draw: Dispatch;
  /** made on the first request for logprobs: its pipeline takes seconds to compile on a software adapter */
  private logprobPass: Dispatch | undefined;
  private readonly makeLogprobPass: () => Dispatch;
  /** sample_prep's bind group for each logits buffer and offset it has been given */
  private readonly prepGroups = new WeakMap<GPUBuffer, Map<number, GPUBindGroup>>();
  private history: number[] = [];
  private historyDirty = true;
  /** the bias as given, the generated tokens' counts, and the dense values the GPU holds */
  private tokenBias: TokenBias = {};
  private readonly counts = new Map<number, number>();
  private readonly biasValues: Float32Array<ArrayBuffer>;
  private biased = false;
  private masked = false;
  private copied = false;
  /** the step read() will decode asked for this many top logprobs (undefined: none) */
  private copiedLogprobs: number | undefined;
  /** what the step encodeCompute just recorded asked of sample_logprob */
  private wantLogprobs: number | undefined;
  private reading = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly kernels: KernelLibrary,
    readonly vocabSize: number,
    readonly maxHistory: number,
  ) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > MAX_VOCAB)
      throw new RangeError(`vocabSize must be in [1, ${MAX_VOCAB}], got ${vocabSize}`);
    if (!Number.isInteger(maxHistory) || maxHistory < 0)
      throw new RangeError(`maxHistory must be an integer >= 0, got ${maxHistory}`);
    this.groups = Math.ceil(vocabSize / (WG * PER_INVOCATION));
    this.records = this.groups * WG;
    const storage = (bytes: number, label: string, extra = 0) =>
      device.createBuffer({
        size: Math.max(16, Math.ceil(bytes / 16) * 16),
        usage: GPUBufferUsage.STORAGE | extra,
        label: `sampler ${label}`,
      });
    this.params = device.createBuffer({
      size: packParams(SAMPLE_PARAMS, ZERO_PARAMS).byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'sampler params',
    });
    this.bits = storage(2 * Math.ceil(vocabSize / 32) * 4, 'history set and mask', GPUBufferUsage.COPY_DST);
    this.bias = storage(vocabSize * 4, 'bias', GPUBufferUsage.COPY_DST);
    this.biasValues = new Float32Array(vocabSize);
    this.logprob = storage(LOGPROB_BYTES, 'logprobs', GPUBufferUsage.COPY_SRC);
    this.keys = storage(vocabSize * 4, 'keys');
    this.partials = storage(this.records * RECORD_WORDS * 4, 'partials');
    this.hist = storage(256 * 4, 'histogram');
    this.state = storage(16 * 4, 'select state');
    this.cand = storage(MAX_CANDIDATES * 8, 'candidates');
    this.result = storage(RESULT_BYTES, 'result', GPUBufferUsage.COPY_SRC);
    this.readback = device.createBuffer({
      size: RESULT_BYTES + LOGPROB_BYTES,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: 'sampler readback',
    });

    const dispatch = (kernel: string, buffers: GPUBuffer[], workgroups: number): Dispatch => {
      const pipeline = kernels.pipeline(kernel, CONSTANTS[kernel]!);
      return {
        label: kernel,
        pipeline,
        bindGroup: bindGroup(device, pipeline, buffers, kernel),
        workgroups: [workgroups, 1, 1],
      };
    };
    const hist = dispatch('sample_hist', [this.keys, this.state, this.hist, this.params], this.groups);
    const scan = dispatch('sample_scan', [this.hist, this.state], 1);
    const levels = Array.from({ length: SELECT_LEVELS }, () => [hist, scan]).flat();
    this.select = [...levels, dispatch('sample_collect', [this.keys, this.state, this.cand, this.params], this.groups)];
    this.top = dispatch('sample_top', [this.partials, this.result, this.params], 1);
    this.draw = dispatch('sample', [this.cand, this.result, this.params], 1);
    this.makeLogprobPass = () => dispatch('sample_logprob', [this.keys, this.result, this.logprob, this.params], 1);
  }

  /** The tokens the repetition penalty looks at: the last `maxHistory` of `ids`. */
  setHistory(ids: readonly number[]): void {
    ids.forEach((id) => this.checkId(id));
    this.history = this.maxHistory > 0 ? ids.slice(-this.maxHistory) : [];
    this.historyDirty = true;
  }

  /** A token was generated: it joins the penalty window, and the counts of the frequency and presence penalties. */
  appendHistory(id: number): void {
    this.checkId(id);
    const count = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, count);
    if (this.tokenBias.frequency || this.tokenBias.presence) this.writeBias(id);
    if (this.maxHistory === 0) return;
    this.history.push(id);
    if (this.history.length > this.maxHistory) this.history.shift();
    this.historyDirty = true;
  }

  /**
   * The additive bias of the steps from now on (a request's logit_bias, frequency and presence
   * penalties); it forgets the counts of tokens generated before. Throws a RangeError for a token id
   * outside the vocabulary or a value that is not finite.
   */
  setBias(b: TokenBias): void {
    for (const [id, v] of b.logitBias ?? []) {
      this.checkId(id);
      if (!Number.isFinite(v)) throw new RangeError(`logit bias ${v} of token ${id} is not a finite number`);
    }
    for (const v of [b.frequency, b.presence])
      if (v !== undefined && !Number.isFinite(v)) throw new RangeError(`penalty ${v} is not a finite number`);
    this.tokenBias = b;
    this.counts.clear();
    this.biasValues.fill(0);
    for (const [id, v] of b.logitBias ?? []) this.biasValues[id] = v;
    this.biased = (b.logitBias?.size ?? 0) > 0 || !!b.frequency || !!b.presence;
    if (this.biased) this.device.queue.writeBuffer(this.bias, 0, this.biasValues);
  }

  /**
   * The tokens the next steps may pick (a grammar's bitmask: bit i % 32 of word i / 32 set when token
   * i is allowed), or null for all. Throws a RangeError when the mask has the wrong length.
   */
  setMask(allowed: Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | null): void {
    const words = Math.ceil(this.vocabSize / 32);
    if (allowed && allowed.length !== words)
      throw new RangeError(`a token mask for ${this.vocabSize} tokens has ${words} words, not ${allowed.length}`);
    this.masked = allowed !== null;
    if (allowed) this.device.queue.writeBuffer(this.bits, words * 4, allowed.buffer, allowed.byteOffset, words * 4);
  }

  /**
   * Records one sampling step into `pass`: the logits are f32[vocabSize] at `offsetBytes` of `logits`
   * (a STORAGE buffer), written by earlier dispatches of the same pass or submit. `step` seeds the
   * draw with `params.seed`. Writes this step's parameters (and the history, if it changed) with
   * queue.writeBuffer, so submit it before encoding the next step.
   */
  encodeCompute(
    pass: GPUComputePassEncoder,
    logits: GPUBuffer,
    offsetBytes: number,
    params: SamplingParams,
    step: number,
    logprobs?: number,
  ): void {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be an integer >= 0, got ${step}`);
    if (logprobs !== undefined && !(Number.isInteger(logprobs) && logprobs >= 0 && logprobs <= 5))
      throw new RangeError(`top logprobs must be 0-5, got ${logprobs}`);
    const plan = samplingPlan(params, this.vocabSize);
    const { group, base } = this.prepGroup(logits, offsetBytes);
    this.flushHistory();
    this.device.queue.writeBuffer(
      this.params,
      0,
      packParams(SAMPLE_PARAMS, {
        V: this.vocabSize,
        C: plan.candidates,
        mode: plan.greedy ? 0 : 1,
        seed: plan.seed,
        step: step >>> 0,
        base,
        records: this.records,
        inv_temp: plan.invTemperature,
        penalty: plan.penalty,
        inv_penalty: plan.invPenalty,
        top_p: plan.topP,
        biased: this.biased ? 1 : 0,
        masked: this.masked ? 1 : 0,
        top_lp: logprobs ?? 0,
      }),
    );
    const prep: Dispatch = {
      label: 'sample_prep',
      pipeline: this.prepPipeline(),
      bindGroup: group,
      workgroups: [this.groups, 1, 1],
    };
    const pick = plan.greedy ? [prep, this.top] : [prep, ...this.select, this.top, this.draw];
    encodeDispatches(pass, logprobs === undefined ? pick : [...pick, (this.logprobPass ??= this.makeLogprobPass())], {
      T: 1,
      pos0: 0,
    });
    this.wantLogprobs = logprobs;
  }

  /** Copies the step's result to the buffer read() maps; outside any pass, after encodeCompute. */
  encodeReadback(encoder: GPUCommandEncoder): void {
    if (this.reading) throw new Error('GpuSampler: read() of the previous step has not finished');
    encoder.copyBufferToBuffer(this.result, 0, this.readback, 0, RESULT_BYTES);
    if (this.wantLogprobs !== undefined)
      encoder.copyBufferToBuffer(this.logprob, 0, this.readback, RESULT_BYTES, LOGPROB_BYTES);
    this.copiedLogprobs = this.wantLogprobs;
    this.copied = true;
  }

  /** encodeCompute in a pass of its own, then encodeReadback. */
  encode(
    encoder: GPUCommandEncoder,
    logits: GPUBuffer,
    offsetBytes: number,
    params: SamplingParams,
    step: number,
    logprobs?: number,
  ): void {
    const pass = encoder.beginComputePass({ label: 'sampler' });
    this.encodeCompute(pass, logits, offsetBytes, params, step, logprobs);
    pass.end();
    this.encodeReadback(encoder);
  }

  /** The result of the submitted step: one mapAsync of 64 bytes (128 with logprobs). */
  async read(): Promise<SampleResult> {
    if (!this.copied) throw new Error('GpuSampler: read() without encodeReadback()');
    this.copied = false;
    this.reading = true;
    const lp = this.copiedLogprobs;
    try {
      const bytes = RESULT_BYTES + (lp === undefined ? 0 : LOGPROB_BYTES);
      await this.readback.mapAsync(GPUMapMode.READ, 0, bytes);
      const w = new Uint32Array(this.readback.getMappedRange(0, bytes).slice(0));
      this.readback.unmap();
      const top: [number, number][] = [];
      for (let j = 0; j < 5; j++) if (w[4 + j] !== NONE) top.push([w[4 + j]!, keyToFloat(w[9 + j]!)]);
      const result: SampleResult = { id: w[0]!, top, kept: w[1]!, candidates: w[2]!, weightSum: bitsToFloat(w[15]!) };
      if (lp === undefined) return result;
      const l = 16; // sample_logprob's words (its header): lse, the pick's logprob, 5 ids, 5 logprobs
      const best: [number, number][] = [];
      for (let j = 0; j < lp; j++) if (w[l + 2 + j] !== NONE) best.push([w[l + 2 + j]!, bitsToFloat(w[l + 7 + j]!)]);
      return { ...result, logprobs: { logprob: bitsToFloat(w[l + 1]!), top: best } };
    } finally {
      this.reading = false;
    }
  }

  /**
   * One step in a submit of its own, for tests and tools (generation uses encode + read). A GPU
   * validation error throws here rather than reading back a result that was never written.
   */
  async sample(
    logits: GPUBuffer,
    offsetBytes: number,
    params: SamplingParams,
    step: number,
    logprobs?: number,
  ): Promise<SampleResult> {
    this.device.pushErrorScope('validation');
    let thrown: unknown = null;
    try {
      const encoder = this.device.createCommandEncoder({ label: 'sampler' });
      this.encode(encoder, logits, offsetBytes, params, step, logprobs);
      this.device.queue.submit([encoder.finish()]);
    } catch (e) {
      thrown = e;
    }
    const error = await this.device.popErrorScope();
    if (thrown)
      throw thrown instanceof Error
        ? thrown
        : new Error('GpuSampler: the encoder threw a non-Error', { cause: thrown });
    if (error) throw new Error(`GpuSampler: ${error.message}`);
    return this.read();
  }

  destroy(): void {
    for (const b of [
      this.params,
      this.bits,
      this.bias,
      this.logprob,
      this.keys,
      this.partials,
      this.hist,
      this.state,
      this.cand,
      this.result,
      this.readback,
    ])
      b.destroy();
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
      throw new RangeError(`history token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
  }

  private flushHistory(): void {
    if (!this.historyDirty) return;
    const set = new Uint32Array(Math.ceil(this.vocabSize / 32));
    for (const id of this.history) set[id >>> 5]! |= 1 << (id & 31);
    this.device.queue.writeBuffer(this.bits, 0, set);
    this.historyDirty = false;
  }

  /** bias[id] = logit_bias - frequency * count - presence * [count > 0], on the GPU too. */
  private writeBias(id: number): void {
    const count = this.counts.get(id) ?? 0;
    const b = this.tokenBias;
    this.biasValues[id] = Math.fround(
      (b.logitBias?.get(id) ?? 0) - (b.frequency ?? 0) * count - (count > 0 ? (b.presence ?? 0) : 0),
    );
    this.device.queue.writeBuffer(this.bias, id * 4, this.biasValues, id, 1);
  }

  private prepPipeline(): GPUComputePipeline {
    return this.kernels.pipeline('sample_prep', CONSTANTS.sample_prep!);
  }

  /**
   * Storage bindings must start at a multiple of minStorageBufferOffsetAlignment: bind from the
   * aligned offset below and pass the rest to the kernel as an element offset (P.base).
   */
  private prepGroup(logits: GPUBuffer, offsetBytes: number): { group: GPUBindGroup; base: number } {
    const bytes = this.vocabSize * 4;
    if (
      !Number.isInteger(offsetBytes) ||
      offsetBytes < 0 ||
      offsetBytes % 4 !== 0 ||
      offsetBytes + bytes > logits.size
    ) {
      throw new RangeError(
        `logits offset ${offsetBytes} does not leave ${bytes} bytes of f32 logits in a buffer of ${logits.size}`,
      );
    }
    const align = this.device.limits.minStorageBufferOffsetAlignment;
    const at = Math.floor(offsetBytes / align) * align;
    let byOffset = this.prepGroups.get(logits);
    if (!byOffset) this.prepGroups.set(logits, (byOffset = new Map<number, GPUBindGroup>()));
    let group = byOffset.get(offsetBytes);
    if (!group) {
      const pipeline = this.prepPipeline();
      const binding: GPUBufferBinding = { buffer: logits, offset: at, size: offsetBytes - at + bytes };
      group = bindGroup(
        this.device,
        pipeline,
        [binding, this.bits, this.keys, this.partials, this.hist, this.state, this.params, this.bias],
        'sample_prep',
      );
      byOffset.set(offsetBytes, group);
    }
    return { group, base: (offsetBytes - at) / 4 };
  }
}
