/**
 * The kernel-efficiency measurement of the benchmarks (npm run bench in Chromium, npm run bench:node
 * on Dawn): the matrix-vector kernel of a quant type (kernels/matvec.wgsl, recorded by Ops.matmul
 * exactly as the model's decode projections are) against a plain copy (kernels/copy.wgsl) over the
 * same weight bytes on the same device. It finds the adapter through navigator.gpu, wherever that
 * comes from (the browser, or scripts/node-gpu.ts).
 */
import { dequantFileRows } from '../workers/gguf/dequant';
import { ggmlTypeByName } from '../workers/gguf/ggml-types';
import { bindGroup, encodeDispatches, KernelLibrary } from '../workers/runtime/kernels';
import { Ops, view } from '../workers/runtime/ops';
import { STEP } from '../workers/runtime/params';
import { storedRowBytes, transcodeRows } from '../workers/store/layout';
import { randomF32, randomTensorBytes, rng } from '../tests/support/random-tensors';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a software or otherwise fallback adapter (SwiftShader): its figures are no speed claims */
  software: boolean;
  timestampQuery: boolean;
}

export interface KernelEfficiencyOptions {
  /** the matrix's ggml type (default Q4_0): rows of `cols` weights */
  type?: string;
  rows: number;
  cols: number;
  /**
   * distinct copies of the matrix that consecutive dispatches cycle through, so that a GPU's cache
   * cannot serve a dispatch from the previous one (1 on a software adapter: its caches are the CPU's)
   */
  buffers: number;
  /** dispatches per timed sample, each over the next buffer; the sample's bytes are their sum */
  dispatches: number;
  warmup: number;
  samples: number;
  /** time with wall clock (submit to onSubmittedWorkDone) even where timestamp-query is offered */
  wallClock?: boolean;
}

export interface Measured {
  /** bytes one sample moves: matvec, the weight bytes read; copy, the bytes read plus those written */
  bytesPerSample: number;
  samplesMs: number[];
  medianMs: number;
  /** bytesPerSample / medianMs, in GB/s (10^9 bytes) */
  gbPerS: number;
}

export interface KernelEfficiency {
  adapter: AdapterReport;
  timing: 'timestamp-query' | 'wall-clock';
  /** the matrix's ggml type */
  type: string;
  /** bytes of one stored matrix (the GPU layout; as many as in the GGUF file, plus row padding) */
  matrixBytes: number;
  options: KernelEfficiencyOptions;
  matvec: Measured;
  copy: Measured;
  /** matvec GB/s over copy GB/s */
  ratio: number;
  /** largest relative error of the matvec on sampled rows against the CPU (dequantized f32 dots) */
  matvecError: number;
}

/** The high-performance adapter; throws where WebGPU or an adapter is missing. */
export async function requestAdapter(): Promise<GPUAdapter> {
  if (!navigator.gpu) throw new Error('WebGPU is not available in this browser.');
  const a = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!a) throw new Error('No WebGPU adapter is available.');
  return a;
}

function report(a: GPUAdapter): AdapterReport {
  const i = a.info;
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software: i.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software|warp/i.test(text),
    timestampQuery: a.features.has('timestamp-query'),
  };
}

export async function adapterInfo(): Promise<AdapterReport> {
  return report(await requestAdapter());
}

/** The median of `xs` (the mean of the middle two for an even count). */
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one compute pass per sample and times it: GPU timestamps around the pass, or wall clock. */
export class Timer {
  private readonly query?: { set: GPUQuerySet; resolve: GPUBuffer; read: GPUBuffer };
  /** false once a timestamp pair came back unusable (zero or reversed): then all samples are wall-clock */
  private timestampsOk: boolean;

  constructor(private readonly device: GPUDevice) {
    this.timestampsOk = device.features.has('timestamp-query');
    if (this.timestampsOk) {
      this.query = {
        set: device.createQuerySet({ type: 'timestamp', count: 2 }),
        resolve: device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
        read: device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
      };
    }
  }

  get timing(): KernelEfficiency['timing'] {
    return this.timestampsOk ? 'timestamp-query' : 'wall-clock';
  }

  /** `samples` timed passes after `warmup` untimed ones; each pass is encoded by `encode`. */
  async run(
    encode: (pass: GPUComputePassEncoder) => void,
    warmup: number,
    samples: number,
  ): Promise<{ gpu: number[]; wall: number[] }> {
    const gpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const enc = this.device.createCommandEncoder();
      const q = this.query;
      const pass = enc.beginComputePass(
        q ? { timestampWrites: { querySet: q.set, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
      );
      encode(pass);
      pass.end();
      if (q) {
        enc.resolveQuerySet(q.set, 0, 2, q.resolve, 0);
        enc.copyBufferToBuffer(q.resolve, 0, q.read, 0, 16);
      }
      const t0 = performance.now();
      this.device.queue.submit([enc.finish()]);
      await this.device.queue.onSubmittedWorkDone();
      const ms = performance.now() - t0;
      let gpuMs = NaN;
      if (q) {
        await q.read.mapAsync(GPUMapMode.READ);
        const [a, b] = new BigUint64Array(q.read.getMappedRange());
        gpuMs = Number(b! - a!) / 1e6;
        q.read.unmap();
      }
      if (i < warmup) continue;
      wall.push(ms);
      if (!(gpuMs > 0)) this.timestampsOk = false;
      gpu.push(gpuMs);
    }
    return { gpu, wall };
  }

  destroy(): void {
    this.query?.set.destroy();
    this.query?.resolve.destroy();
    this.query?.read.destroy();
  }
}

/**
 * The matrix-vector kernel's effective bandwidth (weight bytes read / time) over the copy kernel's
 * (bytes read + written / time), on the same device and the same weight bytes, for a matrix of
 * `o.type` (Q4_0 by default).
 */
export async function kernelEfficiency(o: KernelEfficiencyOptions): Promise<KernelEfficiency> {
  const adapter = await requestAdapter();
  const info = report(adapter);
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') && !o.wallClock ? ['timestamp-query'] : [];
  // as the runtime's device (workers/runtime/gpu.ts): the kernels use subgroups where offered
  if (adapter.features.has('subgroups')) features.push('subgroups');
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
    label: 'lite-coder bench',
  });
  const made: GPUBuffer[] = [];
  const buffer = (size: number, usage: number, label: string) => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage, label });
    made.push(b);
    return b;
  };
  const timer = new Timer(device);
  try {
    device.pushErrorScope('validation');
    const K = o.cols,
      N = o.rows;
    const type = ggmlTypeByName(o.type ?? 'Q4_0');
    if (K % type.blockWeights !== 0)
      throw new Error(`${type.name} rows must be a multiple of ${type.blockWeights} weights`);
    const rand = rng(7);
    const file = randomTensorBytes(type, K, N, rand, 0.01);
    const stored = transcodeRows(type, K, file, N);
    const rowWords = storedRowBytes(type, K) / 4;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const W = Array.from({ length: o.buffers }, (_, i) => {
      const b = buffer(stored.byteLength, storage, `W${i}`);
      device.queue.writeBuffer(b, 0, stored.buffer, stored.byteOffset, stored.byteLength);
      return b;
    });
    const D = W.map((_, i) => buffer(stored.byteLength, storage, `copy${i}`));
    const x = randomF32(K, rand);
    const X = buffer(K * 4, storage, 'X');
    device.queue.writeBuffer(X, 0, x.buffer, x.byteOffset, x.byteLength);
    const Y = buffer(N * 4, storage, 'Y');
    const kernels = new KernelLibrary(device);

    // matvec, as ops.ts records a decode projection and encodes it on a step of one token
    const S = kernels.uniform(STEP, { T: 1, pos0: 0 }, 'step');
    const ops = new Ops(device, kernels, S, 'decode', 1);
    const matvecs = W.map((w, i) =>
      ops.matmul(
        `matvec ${i}`,
        { name: `W${i}`, buffer: w, type: type.name, rowWeights: K, nRows: N, rowWords },
        view(X, { row: K }),
        view(Y, { row: N }),
      ),
    );

    // copy over vec4<u32>: the stored matrix's bytes, less any tail of under 16
    const n = Math.floor(stored.byteLength / 16);
    const COPY_WG = 256;
    const copyGroups = Math.ceil(n / COPY_WG);
    const cx = Math.min(copyGroups, 65535);
    const cp = kernels.pipeline('copy', { WG: COPY_WG });
    const C = kernels.params('copy', { n, grid_x: cx }, 'copy params');
    const cpGroups = W.map((w, i) => bindGroup(device, cp, [w, D[i]!, C], `copy ${i}`));
    const cpY = Math.ceil(copyGroups / cx);
    const setupError = await device.popErrorScope();
    if (setupError) throw new Error(`kernel-efficiency setup: ${setupError.message}`);

    device.pushErrorScope('validation');
    const mv = await timer.run(
      (pass) => {
        for (let d = 0; d < o.dispatches; d++) encodeDispatches(pass, [matvecs[d % o.buffers]!], { T: 1, pos0: 0 });
      },
      o.warmup,
      o.samples,
    );
    const copied = await timer.run(
      (pass) => {
        pass.setPipeline(cp);
        for (let d = 0; d < o.dispatches; d++) {
          pass.setBindGroup(0, cpGroups[d % o.buffers]);
          pass.dispatchWorkgroups(cx, cpY, 1);
        }
      },
      o.warmup,
      o.samples,
    );
    const runError = await device.popErrorScope();
    if (runError) throw new Error(`kernel-efficiency run: ${runError.message}`);

    // Both kernels did their work: the copy is exact, the matvec matches the CPU on sampled rows.
    const readBack = async (src: GPUBuffer, bytes: number) => {
      const rb = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, rb, 0, bytes);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const out = new Uint8Array(rb.getMappedRange().slice(0));
      rb.destroy();
      return out;
    };
    const copy = await readBack(D[0]!, n * 16);
    for (let i = 0; i < n * 16; i++) if (copy[i] !== stored[i]) throw new Error(`copy kernel: byte ${i} differs`);
    const y = new Float32Array((await readBack(Y, N * 4)).buffer);
    let matvecError = 0;
    for (let s = 0; s < 16; s++) {
      const r = Math.floor((s * (N - 1)) / 15);
      const rowBytes = (K / type.blockWeights) * type.blockBytes;
      const w = dequantFileRows(type, file.subarray(r * rowBytes, (r + 1) * rowBytes), K, 1);
      let dot = 0,
        mag = 0;
      for (let k = 0; k < K; k++) {
        dot += w[k]! * x[k]!;
        mag += Math.abs(w[k]! * x[k]!);
      }
      matvecError = Math.max(matvecError, Math.abs(y[r]! - dot) / Math.max(mag, 1e-30));
    }
    if (!(matvecError < 1e-3))
      throw new Error(`matvec kernel: result differs from the CPU (relative error ${matvecError})`);

    const measured = (t: { gpu: number[]; wall: number[] }, bytesPerDispatch: number): Measured => {
      const samplesMs = timer.timing === 'timestamp-query' ? t.gpu : t.wall;
      const medianMs = median(samplesMs);
      const bytesPerSample = bytesPerDispatch * o.dispatches;
      return { bytesPerSample, samplesMs, medianMs, gbPerS: bytesPerSample / (medianMs * 1e6) };
    };
    const matvec = measured(mv, N * rowWords * 4);
    const copyM = measured(copied, 2 * n * 16);
    return {
      adapter: info,
      timing: timer.timing,
      type: type.name,
      matrixBytes: stored.byteLength,
      options: o,
      matvec,
      copy: copyM,
      ratio: matvec.gbPerS / copyM.gbPerS,
      matvecError,
    };
  } finally {
    timer.destroy();
    made.forEach((b) => b.destroy());
    device.destroy();
  }
}
