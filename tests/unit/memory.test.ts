/**
 * The memory model (workers/device/memory.ts) on DeepSeek-Coder-V2-Lite's shapes: the f16 KV cache's
 * size, the prefill batch from limits and memory, and the context and expert cache a device gets.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_BUDGET,
  KV_RESERVE,
  kvBytesPerToken,
  MAX_BATCH,
  maxBatchFor,
  planMemory,
  WORKING_MARGIN,
} from '../../workers/device/memory';
import { MODEL_FILE_BYTES, NON_EXPERT_BYTES, PROBE_TARGET_BYTES } from '../../workers/device/requirements';
import type { GpuMemoryReport } from '../../workers/device/types';
import { deviceVerdict } from '../../workers/device/verdict';
import { activationFloatsPerToken } from '../../workers/runtime/activations';
import { DEEPSEEK_CODER_V2_LITE as LITE } from '../support/kernel-reference';

const GB = 1e9;
const MiB = 2 ** 20;
const LIMITS = { maxStorageBufferBindingSize: 2 ** 31 - 4, maxComputeWorkgroupsPerDimension: 65535 };
/** The Q4_K_M file's parts: about 1.2 GB always on the GPU, the rest routed experts. */
const DENSE = 1.2 * GB,
  EXPERTS = 10.36 * GB - DENSE;
const base = { hp: LITE, denseBytes: DENSE, expertBytes: EXPERTS, maxBinding: 2 ** 31 - 4 } as const;

describe('KV cache', () => {
  it('takes 576 values a token and layer: 31,104 bytes a token in f16 (4 GB at 128K), twice that in f32', () => {
    expect(kvBytesPerToken(LITE, 'F16')).toBe(31_104);
    expect(kvBytesPerToken(LITE, 'F32')).toBe(62_208);
    expect((kvBytesPerToken(LITE, 'F16') * 131_072) / GB).toBeCloseTo(4.08, 2);
  });
});

describe('prefill batch', () => {
  it('comes from the activations a token takes and the budget for them, not a cap of 64', () => {
    const perToken = activationFloatsPerToken(LITE) * 4;
    expect(perToken).toBeGreaterThan(300_000); // the dense FFN (3 x 10,944) and the experts' pairs dominate
    const b = maxBatchFor(LITE, LIMITS);
    expect(b).toBe(Math.floor(ACTIVATION_BUDGET / perToken / 64) * 64);
    expect(b).toBeGreaterThan(64);
  });

  it('is held by the largest binding, the grid and MAX_BATCH, and is a multiple of 64 from 64 up', () => {
    // the widest activation: the experts' pairs, 6 x 2,048 floats a token (49,152 bytes)
    expect(maxBatchFor(LITE, { ...LIMITS, maxStorageBufferBindingSize: 8 * MiB })).toBe(128); // 170 → 128
    expect(maxBatchFor(LITE, { ...LIMITS, maxStorageBufferBindingSize: 2 * MiB })).toBe(42); // below 64: as is
    const tiny = {
      ...LITE,
      nEmbd: 32,
      ffnDense: 96,
      ffnExpert: 32,
      nExpert: 4,
      nExpertUsed: 2,
      kvLoraRank: 64,
      qkNope: 32,
      qkRope: 16,
      vHead: 16,
      nHead: 4,
    };
    expect(maxBatchFor(tiny, LIMITS)).toBe(MAX_BATCH);
    expect(maxBatchFor(tiny, { ...LIMITS, maxComputeWorkgroupsPerDimension: 1000 })).toBe(448); // 500 (x2 experts used) → a multiple of 64
  });
});

describe('planMemory', () => {
  const measured = (bytes: number, hitLimit = true) => ({
    kind: 'measured' as const,
    bytes,
    target: 16 * GB,
    hitLimit,
  });

  it('without a measurement (a software adapter): every expert resident, the default KV reserve', () => {
    const p = planMemory({ ...base, gpu: { kind: 'skipped', reason: 'software-adapter' }, kvType: 'F16' });
    expect(p.expertBudgetBytes).toBeNull();
    expect(p.contextLength).toBe(Math.floor(KV_RESERVE.resident / 31_104));
    expect(p.kvBytes).toBe(p.contextLength * 31_104);
  });

  it("a GPU with room for every weight and the whole context: resident, the model's 163,840 tokens", () => {
    const p = planMemory({
      ...base,
      gpu: measured(10.36 * GB + 163_840 * 31_104 + WORKING_MARGIN, false),
      kvType: 'F16',
    });
    expect(p).toEqual({ expertBudgetBytes: null, contextLength: 163_840, kvBytes: 163_840 * 31_104 });
  });

  it('a 12 GB GPU: resident, and the KV cache takes the rest (f16 gives twice the context of f32)', () => {
    const f16 = planMemory({ ...base, gpu: measured(12 * GB), kvType: 'F16' });
    const f32 = planMemory({ ...base, gpu: measured(12 * GB), kvType: 'F32' });
    const room = 12 * GB - 10.36 * GB - WORKING_MARGIN;
    expect(f16.expertBudgetBytes).toBeNull();
    expect(f16.contextLength).toBe(Math.floor(room / 31_104));
    expect(f32.contextLength).toBe(Math.floor(room / 62_208));
  });

  it('an 8 GB GPU pages experts: a quarter of the room for the KV cache, the rest for the expert cache', () => {
    const p = planMemory({ ...base, gpu: measured(8 * GB), kvType: 'F16' });
    const room = 8 * GB - DENSE - WORKING_MARGIN;
    expect(p.contextLength).toBe(Math.floor(room / 4 / 31_104));
    expect(p.expertBudgetBytes).toBe(room - p.kvBytes);
    expect(p.kvBytes + p.expertBudgetBytes! + DENSE + WORKING_MARGIN).toBeLessThanOrEqual(8 * GB);
  });

  it('a requested context or expert budget is kept to; a context never exceeds what fits', () => {
    const small = planMemory({ ...base, gpu: measured(12 * GB), kvType: 'F16', requested: { contextLength: 2000 } });
    expect(small.contextLength).toBe(2000);
    const paged = planMemory({ ...base, gpu: undefined, kvType: 'F16', requested: { expertBudgetBytes: 1.5 * GB } });
    expect(paged.expertBudgetBytes).toBe(1.5 * GB);
    expect(paged.contextLength).toBe(Math.floor(KV_RESERVE.paged / 31_104));
    const room = planMemory({
      ...base,
      gpu: measured(6 * GB),
      kvType: 'F16',
      requested: { expertBudgetBytes: 2 * GB },
    });
    expect(room.contextLength).toBe(Math.floor((6 * GB - DENSE - WORKING_MARGIN - 2 * GB) / 31_104));
    // one layer's cache is one binding
    const bound = planMemory({ ...base, maxBinding: 128 * MiB, gpu: measured(24 * GB, false), kvType: 'F16' });
    expect(bound.contextLength).toBe(Math.floor((128 * MiB) / 1152));
  });
});

describe('the device check', () => {
  const device = (gpuMemory: GpuMemoryReport) => ({
    webgpu: true,
    adapter: { vendor: 'nvidia', architecture: 'ampere', description: '', isFallbackAdapter: false },
    maxStorageBufferBindingSize: 2 ** 31 - 4,
    storageFree: 100e9,
    gpuMemory,
  });

  it('reports the context the runtime would give, from the same memory model', () => {
    const full = deviceVerdict(
      device({ kind: 'measured', bytes: PROBE_TARGET_BYTES, target: PROBE_TARGET_BYTES, hitLimit: false }),
    );
    expect(full.verdict).toBe('resident');
    expect(full.contextTokens).toBe(163_840);
    const twelve = deviceVerdict(
      device({ kind: 'measured', bytes: 12 * GB, target: PROBE_TARGET_BYTES, hitLimit: true }),
    );
    expect(twelve.verdict).toBe('resident');
    expect(twelve.contextTokens).toBe(
      planMemory({
        ...base,
        denseBytes: NON_EXPERT_BYTES,
        expertBytes: MODEL_FILE_BYTES - NON_EXPERT_BYTES,
        gpu: { kind: 'measured', bytes: 12 * GB, target: PROBE_TARGET_BYTES, hitLimit: true },
        kvType: 'F16',
      }).contextLength,
    );
    expect(twelve.contextTokens).toBeGreaterThan(40_000);
    const small = deviceVerdict(device({ kind: 'measured', bytes: 1e9, target: PROBE_TARGET_BYTES, hitLimit: true }));
    expect(small.verdict).toBe('cannot-run');
    expect(small.contextTokens).toBeNull();
  });

  it('probes far enough to see whether the whole f16 context fits beside every weight', () => {
    expect(PROBE_TARGET_BYTES).toBe(10_360_000_000 + 163_840 * 31_104 + WORKING_MARGIN);
  });
});
