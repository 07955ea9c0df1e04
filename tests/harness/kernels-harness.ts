/**
 * Exposes the model kernels on window.kernelHarness for tests/browser/model-kernels.spec.ts: each
 * function takes plain arrays, runs one kernel on the GPU exactly as the model records it (through
 * the factories of workers/runtime/ops.ts and encodeDispatches, with the step uniform {T, pos0})
 * and returns the whole output buffer. Output buffers start with the contents the test gives, so a
 * test can see what a kernel must leave alone. Built as a page of its own (vite.config.ts); the app
 * never loads it.
 */
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { acquireGpu } from '../../workers/runtime/gpu';
import { encodeDispatches, type Dispatch, type KernelLibrary, type StepShape } from '../../workers/runtime/kernels';
import {
  attentionSplits,
  maxAttentionSplits,
  Ops,
  view,
  type KvCache,
  type KvType,
  type ViewLayout,
} from '../../workers/runtime/ops';
import { packParams, STEP } from '../../workers/runtime/params';
import type { GpuTensor } from '../../workers/runtime/weights';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { attentionRef, siluMulRef, type RmsnormShape, type RopeShape } from '../support/kernel-reference';
import { rng } from '../support/random-tensors';
import { kernelLibrary, type KernelVariant } from './kernel-variants';

let runtime: Promise<GPUDevice> | undefined;
/** The device, and a kernel library with `variant`'s options (the device's own where not given). */
async function gpu(variant?: KernelVariant) {
  const device = await (runtime ??= acquireGpu().then((g) => g.device));
  return { device, kernels: kernelLibrary(device, variant) };
}

export interface StepArgs {
  /** tokens of the step */
  T: number;
  /** position of the first */
  pos0: number;
  /** kernel options to run with instead of the device's own (KernelLibrary), to reach every path */
  variant?: KernelVariant;
  /** most tokens the recorded dispatch is sized for (default T) */
  maxTokens?: number;
  /** record the decode form (one token: matvec, flash-decoding attention) instead of prefill */
  decode?: boolean;
}

/** One kernel run: its buffers (freed after), the step uniform, validation errors turned into throws. */
class Run {
  private readonly made: GPUBuffer[] = [];
  readonly ops: Ops;

  constructor(
    readonly device: GPUDevice,
    readonly kernels: KernelLibrary,
    readonly step: StepArgs,
  ) {
    const S = this.stepBuffer(step.T, step.pos0);
    this.ops = new Ops(
      device,
      kernels,
      S,
      step.decode ? 'decode' : 'prefill',
      step.decode ? 1 : (step.maxTokens ?? step.T),
    );
  }

  /** A step uniform {T, pos0}. */
  stepBuffer(T: number, pos0: number): GPUBuffer {
    const S = this.device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'step',
    });
    this.device.queue.writeBuffer(S, 0, packParams(STEP, { T, pos0 }));
    this.made.push(S);
    return S;
  }

  private storage(data: ArrayBufferView, label: string): GPUBuffer {
    const b = this.device.createBuffer({
      size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // writeBuffer wants a multiple of 4 bytes
    const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    padded.set(bytes);
    if (padded.byteLength > 0) this.device.queue.writeBuffer(b, 0, padded);
    this.made.push(b);
    return b;
  }

  f32(values: readonly number[], label: string): GPUBuffer {
    return this.storage(new Float32Array(values), label);
  }

  u32(values: readonly number[], label: string): GPUBuffer {
    return this.storage(new Uint32Array(values), label);
  }

  bytes(values: Uint8Array, label: string): GPUBuffer {
    return this.storage(values, label);
  }

  /** Encode the dispatches as the model does, submit, and read back each of `outputs` (n words each). */
  async run(
    d: Dispatch | readonly Dispatch[],
    outputs: [GPUBuffer, number][],
    step: StepShape = this.step,
  ): Promise<ArrayBuffer[]> {
    const { device } = this;
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    encodeDispatches(pass, Array.isArray(d) ? d : [d as Dispatch], step);
    pass.end();
    const reads = outputs.map(([src, n]) => {
      const rb = device.createBuffer({
        size: Math.max(16, n * 4),
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      if (n > 0) enc.copyBufferToBuffer(src, 0, rb, 0, n * 4);
      this.made.push(rb);
      return rb;
    });
    device.queue.submit([enc.finish()]);
    const out: ArrayBuffer[] = [];
    for (const [i, rb] of reads.entries()) {
      await rb.mapAsync(GPUMapMode.READ);
      out.push(rb.getMappedRange(0, outputs[i]![1] * 4).slice(0));
      rb.unmap();
    }
    return out;
  }

  destroy(): void {
    for (const b of this.made) b.destroy();
  }
}

/** Run `body` with a fresh Run, failing on any validation error the GPU reports meanwhile. */
async function withRun<R>(step: StepArgs, body: (r: Run) => Promise<R>): Promise<R> {
  const { device, kernels } = await gpu(step.variant);
  device.pushErrorScope('validation');
  const r = new Run(device, kernels, step);
  try {
    return await body(r);
  } finally {
    const err = await device.popErrorScope();
    r.destroy();
    // eslint-disable-next-line no-unsafe-finally -- a validation error explains whatever body saw
    if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  }
}

const floats = (b: ArrayBuffer) => Array.from(new Float32Array(b));

function tensor(
  name: string,
  buffer: GPUBuffer,
  type: string,
  rowWeights: number,
  nRows: number,
  rowWords: number,
): GpuTensor {
  return { name, buffer, type, rowWeights, nRows, rowWords };
}

export interface EmbedArgs extends StepArgs {
  type: string;
  K: number;
  nRows: number;
  /** the table in GGUF file layout, one byte per entry */
  file: number[];
  ids: number[];
  /** X before the kernel runs ([T][K] and more) */
  x: number[];
}

async function embed(a: EmbedArgs): Promise<number[]> {
  return withRun(a, async (r) => {
    const type = ggmlTypeByName(a.type);
    const stored = transcodeRows(type, a.K, new Uint8Array(a.file), a.nRows);
    const W = tensor('token_embd', r.bytes(stored, 'token_embd'), a.type, a.K, a.nRows, storedRowBytes(type, a.K) / 4);
    const X = r.f32(a.x, 'X');
    const [out] = await r.run(r.ops.embed(W, r.u32(a.ids, 'ids'), X), [[X, a.x.length]]);
    return floats(out!);
  });
}

/** A view of `buffer` laid out as `layout` (the test's shapes are the views' layouts). */
const on = (buffer: GPUBuffer, layout: ViewLayout) => view(buffer, layout);

export interface RmsnormArgs {
  shape: RmsnormShape;
  x: number[];
  g: number[];
  /** Y before the kernel runs */
  y: number[];
}

async function rmsnorm(a: RmsnormArgs): Promise<number[]> {
  const o = a.shape;
  return withRun(o, async (r) => {
    const g = tensor('norm', r.f32(a.g, 'g'), 'F32', o.dim, 1, o.dim);
    const Y = r.f32(a.y, 'Y');
    const d = r.ops.rmsnorm('rmsnorm', on(r.f32(a.x, 'X'), o.x), g, on(Y, o.y), { eps: o.eps, lastOnly: o.lastOnly });
    const [out] = await r.run(d, [[Y, a.y.length]]);
    return floats(out!);
  });
}

export interface RopeArgs {
  shape: RopeShape;
  x: number[];
  /** [T][nRot/2][2] cos, sin */
  cs: number[];
  y: number[];
}

async function rope(a: RopeArgs): Promise<number[]> {
  const o = a.shape;
  return withRun(o, async (r) => {
    const Y = r.f32(a.y, 'Y');
    const d = r.ops.rope('rope', on(r.f32(a.x, 'X'), o.x), r.f32(a.cs, 'cs'), on(Y, o.y), {
      nRot: o.nRot,
      heads: o.heads,
    });
    const [out] = await r.run(d, [[Y, a.y.length]]);
    return floats(out!);
  });
}

export interface AttentionArgs extends StepArgs {
  /** [T][H][R] */
  qAbs: number[];
  /** [T][H][nRot], the roped q_pe */
  qPe: number[];
  /** [n_ctx][R + nRot] = c | k_pe, n_ctx >= pos0 + T */
  cache: number[];
  R: number;
  nRot: number;
  H: number;
  scale: number;
  /** the cache's form (default F32): its rows go in through kv_store.wgsl, as the model writes them */
  kv?: KvType;
}

/**
 * Puts `rows` [n][latent] f32 into a KV cache of `type` as the model does (kv_store.wgsl, one step of
 * n tokens at position 0), and returns the cache and the values it holds (f16-rounded for F16).
 */
async function storeCache(
  r: Run,
  rows: Float32Array,
  latent: number,
  type: KvType,
): Promise<{ cache: KvCache; held: Float32Array }> {
  const n = rows.length / latent;
  const bytes = rows.length * (type === 'F16' ? 2 : 4);
  const cache = { buffer: r.bytes(new Uint8Array(bytes), 'kv cache'), type };
  const store = new Ops(r.device, (await gpu(r.step.variant)).kernels, r.stepBuffer(n, 0), 'prefill', n);
  const [out] = await r.run(
    store.kvStore(
      'kv_store',
      r.bytes(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength), 'rows'),
      cache,
      latent,
    ),
    [[cache.buffer, bytes / 4]],
    { T: n, pos0: 0 },
  );
  return { cache, held: type === 'F16' ? unpackF16(new Uint16Array(out!)) : new Float32Array(out!) };
}

/** IEEE half-precision bit patterns to f32 values (exact). */
function unpackF16(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const b = h[i]!,
      sign = b & 0x8000 ? -1 : 1,
      e = (b >> 10) & 0x1f,
      m = b & 0x3ff;
    out[i] =
      e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** The attention as the model records it (prefill or decode form); returns o_lat and the cache as held. */
async function attention(a: AttentionArgs): Promise<{ out: number[]; held: number[] }> {
  return withRun(a, async (r) => {
    const n = a.T * a.H * a.R;
    const O = r.f32(new Array<number>(n).fill(0), 'O');
    const qPe = view(r.f32(a.qPe, 'q_pe'), { row: a.H * a.nRot, head: a.nRot });
    const { cache, held } = await storeCache(r, new Float32Array(a.cache), a.R + a.nRot, a.kv ?? 'F32');
    const split = splitBuffers(r, a.H, a.R);
    const d = r.ops.attention(
      'mla',
      r.f32(a.qAbs, 'q_abs'),
      qPe,
      cache,
      O,
      { R: a.R, nRot: a.nRot, H: a.H, scale: a.scale },
      split,
    );
    const [out] = await r.run(d, [[O, n]]);
    return { out: floats(out!), held: Array.from(held) };
  });
}

/** The decode attention's split buffers (activations.ts: attn_acc, attn_ml) for H heads of R. */
function splitBuffers(r: Run, H: number, R: number) {
  const splitsMax = maxAttentionSplits(H, r.kernels.options.parallelism);
  return {
    acc: r.f32(new Array<number>(H * splitsMax * R).fill(0), 'acc'),
    ml: r.f32(new Array<number>(1 + 2 * H * splitsMax).fill(0), 'ml'),
    splitsMax,
  };
}

export interface AttentionSeededArgs extends StepArgs {
  seed: number;
  R: number;
  nRot: number;
  H: number;
  scale: number;
  kv: KvType;
}

/**
 * The attention on inputs drawn in the page from `seed` (contexts of thousands of positions are too
 * large to pass from the test), against attentionRef run here on the cache as held. Returns the worst
 * error over its allowance (1e-5 of the summed magnitudes: the kernel tests' SUMS tolerance), the
 * splits a decode step used and the outputs checked.
 */
async function attentionSeeded(
  a: AttentionSeededArgs,
): Promise<{ worstOverAllowed: number; splits: number; checked: number }> {
  const rand = rng(a.seed);
  const row = a.R + a.nRot;
  const draw = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const qAbs = draw(a.T * a.H * a.R),
    qPe = draw(a.T * a.H * a.nRot),
    rows = draw((a.pos0 + a.T) * row);
  return withRun(a, async (r) => {
    const n = a.T * a.H * a.R;
    const O = r.f32(new Array<number>(n).fill(0), 'O');
    const qPeView = view(r.bytes(new Uint8Array(qPe.buffer), 'q_pe'), { row: a.H * a.nRot, head: a.nRot });
    const { cache, held } = await storeCache(r, rows, row, a.kv);
    const split = splitBuffers(r, a.H, a.R);
    const d = r.ops.attention(
      'mla',
      r.bytes(new Uint8Array(qAbs.buffer), 'q_abs'),
      qPeView,
      cache,
      O,
      { R: a.R, nRot: a.nRot, H: a.H, scale: a.scale },
      split,
    );
    const [out] = await r.run(d, [[O, n]]);
    const got = new Float32Array(out!);
    const ref = attentionRef(qAbs, qPe, held, { R: a.R, nRot: a.nRot, H: a.H, scale: a.scale, T: a.T, pos0: a.pos0 });
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const err = Math.abs(got[i]! - ref.want[i]!) / (1e-5 * ref.mag[i]!);
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    }
    return { worstOverAllowed: worst, splits: a.decode ? attentionSplits(a.pos0 + 1, split.splitsMax) : 1, checked: n };
  });
}

/**
 * Milliseconds one attention dispatch (as the model records it) takes on `a`'s shapes, the median of
 * `reps` after one warm-up: for the benchmark and for tuning, not for tests' assertions.
 */
async function attentionTiming(
  a: Omit<AttentionSeededArgs, 'seed'> & { reps: number },
): Promise<{ ms: number[]; median: number }> {
  const rand = rng(1);
  const row = a.R + a.nRot;
  const draw = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  return withRun(a, async (r) => {
    const O = r.f32(new Array<number>(a.T * a.H * a.R).fill(0), 'O');
    const qPe = view(r.bytes(new Uint8Array(draw(a.T * a.H * a.nRot).buffer), 'q_pe'), {
      row: a.H * a.nRot,
      head: a.nRot,
    });
    const { cache } = await storeCache(r, draw((a.pos0 + a.T) * row), row, a.kv);
    const d = r.ops.attention(
      'mla',
      r.bytes(new Uint8Array(draw(a.T * a.H * a.R).buffer), 'q_abs'),
      qPe,
      cache,
      O,
      { R: a.R, nRot: a.nRot, H: a.H, scale: a.scale },
      splitBuffers(r, a.H, a.R),
    );
    const ms: number[] = [];
    for (let i = 0; i <= a.reps; i++) {
      const t0 = performance.now();
      await r.run(d, [[O, 4]]);
      if (i > 0) ms.push(performance.now() - t0);
    }
    const sorted = [...ms].sort((x, y) => x - y);
    return { ms, median: sorted[Math.floor(sorted.length / 2)]! };
  });
}

export interface SiluMulArgs extends StepArgs {
  g: number[];
  u: number[];
  /** A before the kernel runs */
  a: number[];
  n: number;
  rowsPerToken: number;
  maxTokens: number;
}

async function siluMul(a: SiluMulArgs): Promise<number[]> {
  return withRun(a, async (r) => {
    const A = r.f32(a.a, 'A');
    const d = r.ops.siluMul('silu', r.f32(a.g, 'G'), r.f32(a.u, 'U'), A, a.n, a.rowsPerToken);
    const [out] = await r.run(d, [[A, a.a.length]]);
    return floats(out!);
  });
}

/**
 * silu_mul on inputs too large to pass from the test (a 2-D workgroup grid): G, U and A's initial
 * contents are drawn in the page from `seed`, the reference runs here too, and the worst error
 * (relative to max(1, |want|)) and the count of changed values past the step's rows come back.
 */
async function siluMulSeeded(
  a: StepArgs & { seed: number; n: number; rowsPerToken: number; maxTokens: number },
): Promise<{ worst: number; changedPastEnd: number; groups: [number, number, number] }> {
  const size = a.maxTokens * a.rowsPerToken * a.n;
  const rand = rng(a.seed);
  const G = Float32Array.from({ length: size }, () => (rand() * 2 - 1) * 8);
  const U = Float32Array.from({ length: size }, () => rand() * 2 - 1);
  const A0 = new Float32Array(size).fill(-7.25);
  return withRun(a, async (r) => {
    const A = r.bytes(new Uint8Array(A0.buffer), 'A');
    const d = r.ops.siluMul(
      'silu',
      r.bytes(new Uint8Array(G.buffer), 'G'),
      r.bytes(new Uint8Array(U.buffer), 'U'),
      A,
      a.n,
      a.rowsPerToken,
    );
    const groups = (typeof d.workgroups === 'function' ? d.workgroups(a) : d.workgroups) as [number, number, number];
    const [out] = await r.run(d, [[A, size]]);
    const got = new Float32Array(out!);
    const count = a.T * a.rowsPerToken * a.n;
    const ref = siluMulRef(G, U, A0, count);
    let worst = 0;
    let changedPastEnd = 0;
    for (let i = 0; i < size; i++) {
      const err = Math.abs(got[i]! - ref.want[i]!) / Math.max(1, Math.abs(ref.want[i]!));
      if (i < count) worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
      else if (got[i] !== A0[i]) changedPastEnd++;
    }
    return { worst, changedPastEnd, groups };
  });
}

export interface RouteArgs extends StepArgs {
  /** [T][E] */
  logits: number[];
  E: number;
  k: number;
  sigmoid: boolean;
  norm: boolean;
  scale: number;
}

async function route(a: RouteArgs): Promise<{ ids: number[]; wts: number[] }> {
  return withRun(a, async (r) => {
    const n = a.T * a.k;
    const ids = r.u32(new Array<number>(n).fill(0xdeadbeef), 'ids');
    const wts = r.f32(new Array<number>(n).fill(-1), 'wts');
    const d = r.ops.route('route', r.f32(a.logits, 'logits'), ids, wts, {
      E: a.E,
      nUsed: a.k,
      sigmoid: a.sigmoid,
      norm: a.norm,
      scale: a.scale,
    });
    const [i, w] = await r.run(d, [
      [ids, n],
      [wts, n],
    ]);
    return { ids: Array.from(new Uint32Array(i!)), wts: floats(w!) };
  });
}

export interface MoeMatmulArgs extends StepArgs {
  type: string;
  /** the layer's expert pool: records in the stored row layout, one byte per entry */
  pool: number[];
  /** expert → word offset of its record in the pool, or 0xffffffff */
  table: number[];
  /** [T][k] expert ids */
  ids: number[];
  x: number[];
  /** Y before the kernel runs ([T*k][N] and more) */
  y: number[];
  K: number;
  N: number;
  rowWords: number;
  partWords: number;
  xStride: number;
  xPerPair: boolean;
  k: number;
  /** the fused gate-up-silu form: the up part's word offset in a record (the gate part at partWords) */
  upWords?: number;
}

async function moeMatmul(a: MoeMatmulArgs): Promise<number[]> {
  return withRun(a, async (r) => {
    const Y = r.f32(a.y, 'Y');
    const d = r.ops.moeMatmul(
      'experts',
      a.type,
      r.bytes(new Uint8Array(a.pool), 'pool'),
      r.u32(a.table, 'table'),
      r.u32(a.ids, 'ids'),
      r.f32(a.x, 'X'),
      Y,
      {
        K: a.K,
        N: a.N,
        rowWords: a.rowWords,
        partWords: a.partWords,
        xStride: a.xStride,
        xPerPair: a.xPerPair,
        nUsed: a.k,
        ...(a.upWords !== undefined ? { upWords: a.upWords } : {}),
      },
    );
    const [out] = await r.run(d, [[Y, a.y.length]]);
    return floats(out!);
  });
}

export interface CombineArgs extends StepArgs {
  /** [T*k][D] */
  yp: number[];
  /** [T][k] */
  wts: number[];
  /** X before the kernel runs ([T][D] and more) */
  x: number[];
  D: number;
  k: number;
}

async function combine(a: CombineArgs): Promise<number[]> {
  return withRun(a, async (r) => {
    const X = r.f32(a.x, 'X');
    const [out] = await r.run(r.ops.combine('combine', r.f32(a.yp, 'Yp'), r.f32(a.wts, 'wts'), X, a.D, a.k), [
      [X, a.x.length],
    ]);
    return floats(out!);
  });
}

const harness = {
  embed,
  rmsnorm,
  rope,
  attention,
  attentionSeeded,
  attentionTiming,
  siluMul,
  siluMulSeeded,
  route,
  moeMatmul,
  combine,
};
declare global {
  interface Window {
    kernelHarness: typeof harness;
  }
}
window.kernelHarness = harness;
document.body.dataset.ready = '1';
