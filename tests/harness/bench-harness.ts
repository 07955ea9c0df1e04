/**
 * The page npm run bench (scripts/bench.ts) drives, exposed on window.liteCoderBench: the engine worker
 * (as on the test harness page) for the model figures, the adapter's identity, and the
 * kernel-efficiency measurement: the matrix-vector kernel of a quant type (kernels/matvec.wgsl, recorded
 * by Ops.matmul exactly as the model's decode projections are) against a plain copy (kernels/copy.wgsl)
 * over the same weight bytes on the same device (scripts/kernel-efficiency.ts, shared with bench:node);
 * and the decode attention's time at a given context.
 * Built as a page of its own (vite.config.ts); the app never loads it.
 */
import { Comlink } from '../../src/engine';
import { engine } from './test-engine';
import {
  adapterInfo,
  kernelEfficiency,
  median,
  requestAdapter,
  Timer,
  type KernelEfficiency,
} from '../../scripts/kernel-efficiency';
import { KernelLibrary, encodeDispatches } from '../../workers/runtime/kernels';
import { attentionSplits, maxAttentionSplits, Ops, view } from '../../workers/runtime/ops';
import { STEP } from '../../workers/runtime/params';
import { randomF32, rng } from '../support/random-tensors';

export type {
  AdapterReport,
  KernelEfficiency,
  KernelEfficiencyOptions,
  Measured,
} from '../../scripts/kernel-efficiency';

export interface AttentionTimingOptions {
  /** the latent's width, the rope slice's and the heads (the real model: 512, 64, 16) */
  R: number;
  nRot: number;
  H: number;
  /** context positions of the decode step (its one token at position context - 1) */
  context: number;
  kv: 'F16' | 'F32';
  warmup: number;
  samples: number;
}

/**
 * Milliseconds a decode step's attention of one layer takes (mla_attention_split + _combine, recorded
 * by Ops.attention as the model records them) at `o.context`: median of the samples, by timestamps
 * where offered, else wall clock; and the splits it used. The cache holds random rows (speed does not
 * depend on them).
 */
async function attentionDecodeTiming(
  o: AttentionTimingOptions,
): Promise<{ medianMs: number; splits: number; timing: KernelEfficiency['timing'] }> {
  const adapter = await requestAdapter();
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  if (adapter.features.has('subgroups')) features.push('subgroups');
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
    label: 'lite-coder bench attention',
  });
  const made: GPUBuffer[] = [];
  const storage = (bytes: number, label: string) => {
    const b = device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      label,
    });
    made.push(b);
    return b;
  };
  const timer = new Timer(device);
  try {
    const kernels = new KernelLibrary(device);
    const rand = rng(3);
    const fill = (b: GPUBuffer, floats: number) => {
      const v = randomF32(floats, rand);
      device.queue.writeBuffer(b, 0, v.buffer, v.byteOffset, v.byteLength);
    };
    const latent = o.R + o.nRot;
    const cache = storage(o.context * latent * (o.kv === 'F16' ? 2 : 4), 'kv cache');
    // random bits would make f16 NaNs: an f16 cache holds 1.0 (0x3c00) everywhere
    if (o.kv === 'F32') fill(cache, o.context * latent);
    else device.queue.writeBuffer(cache, 0, new Uint16Array(o.context * latent).fill(0x3c00));
    const qAbs = storage(o.H * o.R * 4, 'q_abs'),
      qPe = storage(o.H * o.nRot * 4, 'q_pe'),
      out = storage(o.H * o.R * 4, 'o_lat');
    fill(qAbs, o.H * o.R);
    fill(qPe, o.H * o.nRot);
    const splitsMax = maxAttentionSplits(o.H, kernels.options.parallelism);
    const split = {
      acc: storage(o.H * splitsMax * o.R * 4, 'acc'),
      ml: storage((1 + 2 * o.H * splitsMax) * 4, 'ml'),
      splitsMax,
    };
    const S = kernels.uniform(STEP, { T: 1, pos0: o.context - 1 }, 'step');
    const ops = new Ops(device, kernels, S, 'decode', 1);
    const d = ops.attention(
      'attention',
      qAbs,
      view(qPe, { row: o.H * o.nRot, head: o.nRot }),
      { buffer: cache, type: o.kv },
      out,
      { R: o.R, nRot: o.nRot, H: o.H, scale: 0.1 },
      split,
    );
    const step = { T: 1, pos0: o.context - 1 };
    const t = await timer.run((pass) => encodeDispatches(pass, d, step), o.warmup, o.samples);
    S.destroy();
    return {
      medianMs: median(timer.timing === 'timestamp-query' ? t.gpu : t.wall),
      splits: attentionSplits(o.context, splitsMax),
      timing: timer.timing,
    };
  } finally {
    timer.destroy();
    made.forEach((b) => b.destroy());
    device.destroy();
  }
}

const bench = { engine, Comlink, adapterInfo, kernelEfficiency, attentionDecodeTiming };
declare global {
  interface Window {
    liteCoderBench: typeof bench;
  }
}
window.liteCoderBench = bench;
document.body.dataset.ready = '1';
