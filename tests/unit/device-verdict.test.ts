import { describe, expect, it } from 'vitest';
import {
  EXPERT_BYTES_Q4_0,
  LARGEST_BOUND_TENSOR_BYTES,
  MIN_EXPERT_CACHE_BYTES,
  MODEL_FILE_BYTES,
  PAGED_GPU_BYTES,
  RESIDENT_GPU_BYTES,
  ROUTED_EXPERTS,
} from '../../workers/device/requirements';
import type { GpuMemoryReport, VerdictInput } from '../../workers/device/types';
import { deviceVerdict, reasonText, softwareRendererName } from '../../workers/device/verdict';
import { formatBytes } from '../../workers/format';

const texts = (r: { reasons: { text: string }[] }) => r.reasons.map((x) => x.text);
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

const GiB = 2 ** 30;

const measured = (bytes: number, hitLimit = bytes < RESIDENT_GPU_BYTES): GpuMemoryReport => ({
  kind: 'measured',
  bytes,
  target: RESIDENT_GPU_BYTES,
  hitLimit,
});

/** A desktop GPU with plenty of everything: the baseline each test changes one thing in. */
function goodDevice(overrides: Partial<VerdictInput> = {}): VerdictInput {
  return {
    webgpu: true,
    adapter: { vendor: 'nvidia', architecture: 'ampere', description: '', isFallbackAdapter: false },
    maxStorageBufferBindingSize: 2 * GiB,
    storageFree: 100e9,
    gpuMemory: measured(RESIDENT_GPU_BYTES + 128 * 2 ** 20, false),
    ...overrides,
  };
}

describe('requirements arithmetic', () => {
  it('matches the figures from the model reference', () => {
    expect(ROUTED_EXPERTS).toBe(1664);
    expect(EXPERT_BYTES_Q4_0).toBe(4_866_048);
    expect(ROUTED_EXPERTS * EXPERT_BYTES_Q4_0).toBe(8_097_103_872);
    // Q6_K output head: 102400 x 2048 weights, 210 bytes per 256.
    expect(LARGEST_BOUND_TENSOR_BYTES).toBe(172_032_000);
    expect(MIN_EXPERT_CACHE_BYTES).toBe(2 * 6 * 5_300_000);
    expect(RESIDENT_GPU_BYTES).toBe(10_360_000_000 + GiB);
    expect(PAGED_GPU_BYTES).toBe(1_200_000_000 + 63_600_000 + 512 * 2 ** 20);
    expect(PAGED_GPU_BYTES).toBeLessThan(RESIDENT_GPU_BYTES);
  });
});

describe('deviceVerdict: GPU memory tiers', () => {
  it('says resident when the GPU holds every weight plus the margin', () => {
    const result = deviceVerdict(goodDevice());
    expect(result.verdict).toBe('resident');
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toEqual(
      expect.objectContaining({
        code: 'gpu-resident',
        accepted: RESIDENT_GPU_BYTES + 128 * 2 ** 20,
        modelBytes: MODEL_FILE_BYTES,
        margin: GiB,
      }),
    );
    expect(result.reasons[0]!.text).toMatch(/all experts can stay on the GPU/);
    expect(result.reasons[0]!.text).toContain('10.36 GB');
  });

  it('puts the resident threshold exactly at RESIDENT_GPU_BYTES', () => {
    expect(deviceVerdict(goodDevice({ gpuMemory: measured(RESIDENT_GPU_BYTES, false) })).verdict).toBe('resident');
    expect(deviceVerdict(goodDevice({ gpuMemory: measured(RESIDENT_GPU_BYTES - 1) })).verdict).toBe('paged');
  });

  it('says paged when only the non-expert weights and a small expert cache fit', () => {
    const result = deviceVerdict(goodDevice({ gpuMemory: measured(4e9) }));
    expect(result.verdict).toBe('paged');
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toEqual(
      expect.objectContaining({
        code: 'gpu-paged',
        accepted: 4e9,
        hitLimit: true,
        residentBytes: RESIDENT_GPU_BYTES,
        cacheBytes: MIN_EXPERT_CACHE_BYTES,
      }),
    );
    expect(result.reasons[0]!.text).toMatch(/^The GPU accepted 4\.00 GB of buffers before running out of memory/);
    expect(result.reasons[0]!.text).toMatch(/experts will be paged from storage/);
  });

  it('puts the paged threshold exactly at PAGED_GPU_BYTES', () => {
    expect(deviceVerdict(goodDevice({ gpuMemory: measured(PAGED_GPU_BYTES) })).verdict).toBe('paged');
    expect(deviceVerdict(goodDevice({ gpuMemory: measured(PAGED_GPU_BYTES - 1) })).verdict).toBe('cannot-run');
  });

  it('says cannot run when even paged mode does not fit, and how much it needs', () => {
    const result = deviceVerdict(goodDevice({ gpuMemory: measured(1e9) }));
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons).toEqual([
      {
        code: 'gpu-too-small',
        accepted: 1e9,
        hitLimit: true,
        pagedBytes: PAGED_GPU_BYTES,
        text: `The GPU accepted only 1.00 GB of buffers before running out of memory; even paging experts from storage needs ${formatBytes(PAGED_GPU_BYTES)}.`,
      },
    ]);
  });

  it('says cannot run when the GPU could not be opened for the memory probe', () => {
    const result = deviceVerdict(goodDevice({ gpuMemory: { kind: 'failed', error: 'device request refused' } }));
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toEqual(
      expect.objectContaining({ code: 'gpu-memory-failed', error: 'device request refused' }),
    );
    expect(result.reasons[0]!.text).toContain('device request refused');
  });

  it('does not trust a hardware adapter whose memory was never measured', () => {
    const result = deviceVerdict(goodDevice({ gpuMemory: { kind: 'skipped', reason: 'no-adapter' } }));
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons).toEqual([
      {
        code: 'gpu-memory-unmeasured',
        text: 'GPU memory was not measured, so there is no evidence the model fits on the GPU.',
      },
    ]);
  });
});

describe('deviceVerdict: WebGPU and the adapter', () => {
  const skipped: GpuMemoryReport = { kind: 'skipped', reason: 'no-adapter' };

  it('cannot run without WebGPU', () => {
    const result = deviceVerdict(
      goodDevice({ webgpu: false, adapter: null, maxStorageBufferBindingSize: null, gpuMemory: skipped }),
    );
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons).toEqual([
      {
        code: 'no-webgpu',
        text: 'This browser does not offer WebGPU, which Lite Coder needs to run the model on the GPU.',
      },
    ]);
  });

  it('cannot run when WebGPU offers no adapter', () => {
    const result = deviceVerdict(goodDevice({ adapter: null, maxStorageBufferBindingSize: null, gpuMemory: skipped }));
    expect(result.verdict).toBe('cannot-run');
    expect(codes(result)).toEqual(['no-adapter']);
    expect(result.reasons[0]!.text).toMatch(/no GPU adapter/);
  });

  it.each([
    [{ vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: false }, 'swiftshader'],
    [
      { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', isFallbackAdapter: false },
      'llvmpipe (LLVM 15.0.6, 256 bits)',
    ],
    [{ vendor: 'mesa', architecture: 'lavapipe', description: '', isFallbackAdapter: false }, 'lavapipe'],
    [
      {
        vendor: 'microsoft',
        architecture: '',
        description: 'Microsoft Basic Render Driver (Software)',
        isFallbackAdapter: false,
      },
      'Microsoft Basic Render Driver (Software)',
    ],
    [{ vendor: 'acme', architecture: 'gen1', description: '', isFallbackAdapter: true }, 'a fallback adapter'],
  ])('cannot run on a software adapter %#, and says it would take minutes per token', (adapter, name) => {
    expect(softwareRendererName(adapter)).toBe(name);
    const result = deviceVerdict(goodDevice({ adapter, gpuMemory: { kind: 'skipped', reason: 'software-adapter' } }));
    expect(result.verdict).toBe('cannot-run');
    const fallback = name === 'a fallback adapter';
    expect(result.reasons).toEqual([
      {
        code: 'software-adapter',
        renderer: fallback ? '' : name,
        fallback,
        text: `The GPU adapter is a software renderer (${name}) that runs on the CPU: DeepSeek-Coder-V2-Lite would take minutes per token on it.`,
      },
    ]);
  });

  it('does not mistake hardware adapters for software ones', () => {
    for (const adapter of [
      { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3090', isFallbackAdapter: false },
      { vendor: 'apple', architecture: 'metal-3', description: '', isFallbackAdapter: false },
      { vendor: 'intel', architecture: 'gen-12lp', description: '', isFallbackAdapter: false },
    ]) {
      expect(softwareRendererName(adapter)).toBeNull();
    }
  });
});

describe('deviceVerdict: binding size', () => {
  it('cannot run when the largest tensor does not fit one storage binding', () => {
    const result = deviceVerdict(goodDevice({ maxStorageBufferBindingSize: 134_217_728 }));
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons[0]).toEqual({
      code: 'binding-too-small',
      maxBinding: 134_217_728,
      needed: LARGEST_BOUND_TENSOR_BYTES,
      text:
        "The GPU binds at most 134,217,728 bytes in one storage buffer, but the model's largest tensor " +
        '(the output head, 102400 x 2048 weights at Q6_K) is 172,032,000 bytes.',
    });
  });

  it('accepts a binding size exactly as large as the largest tensor', () => {
    expect(deviceVerdict(goodDevice({ maxStorageBufferBindingSize: LARGEST_BOUND_TENSOR_BYTES })).verdict).toBe(
      'resident',
    );
    expect(deviceVerdict(goodDevice({ maxStorageBufferBindingSize: LARGEST_BOUND_TENSOR_BYTES - 1 })).verdict).toBe(
      'cannot-run',
    );
  });
});

describe('deviceVerdict: storage', () => {
  it('cannot run when the model does not fit the free quota, and says how much is missing', () => {
    const result = deviceVerdict(goodDevice({ storageFree: 8e9 }));
    expect(result.verdict).toBe('cannot-run');
    expect(result.reasons[0]).toEqual({
      code: 'storage-short',
      free: 8e9,
      modelBytes: MODEL_FILE_BYTES,
      text: 'Only 8.00 GB of browser storage is free, 2.36 GB short of the 10.36 GB the model takes, so it cannot be imported.',
    });
  });

  it('only notes the shortfall when the model is already stored', () => {
    const result = deviceVerdict(goodDevice({ storageFree: 1e9, modelAlreadyStored: true }));
    expect(result.verdict).toBe('resident');
    expect(result.reasons[0]).toEqual({
      code: 'storage-short-stored',
      free: 1e9,
      modelBytes: MODEL_FILE_BYTES,
      text: 'Only 1.00 GB of browser storage is free, 9.36 GB short of the 10.36 GB the model takes; that is fine, because the model is already stored.',
    });
  });

  it('is fine with exactly the model size free', () => {
    const result = deviceVerdict(goodDevice({ storageFree: MODEL_FILE_BYTES }));
    expect(result.verdict).toBe('resident');
    expect(codes(result)).toEqual(['gpu-resident']);
  });

  it('says so when there is no storage estimate, without blocking', () => {
    const result = deviceVerdict(goodDevice({ storageFree: null }));
    expect(result.verdict).toBe('resident');
    expect(result.reasons[0]).toEqual({
      code: 'storage-unknown',
      modelBytes: MODEL_FILE_BYTES,
      text: 'The browser did not say how much storage is free, so it is unknown whether the 10.36 GB model fits.',
    });
  });

  it('a storage shortfall overrides a paged verdict', () => {
    expect(deviceVerdict(goodDevice({ gpuMemory: measured(4e9), storageFree: 5e9 })).verdict).toBe('cannot-run');
  });
});

describe('deviceVerdict: several findings', () => {
  it('lists every reason, not just the first', () => {
    const result = deviceVerdict({
      webgpu: true,
      adapter: { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: false },
      maxStorageBufferBindingSize: 100_000_000,
      storageFree: 2e9,
      gpuMemory: { kind: 'skipped', reason: 'software-adapter' },
    });
    expect(result.verdict).toBe('cannot-run');
    expect(codes(result)).toEqual(['software-adapter', 'binding-too-small', 'storage-short']);
    expect(texts(result)[0]).toMatch(/software renderer \(swiftshader\)/);
    expect(texts(result)[1]).toMatch(/binds at most 100,000,000 bytes/);
    expect(texts(result)[2]).toMatch(/8\.36 GB short/);
  });
});

describe('reasons', () => {
  it('carry their English sentence, the one reasonText() words from the code and figures', () => {
    const inputs: Partial<VerdictInput>[] = [
      {},
      { gpuMemory: measured(4e9) },
      { gpuMemory: measured(1e9) },
      { storageFree: null },
      { storageFree: 1e9 },
      { storageFree: 1e9, modelAlreadyStored: true },
      { maxStorageBufferBindingSize: 1 },
      { webgpu: false, adapter: null },
      { gpuMemory: { kind: 'failed', error: 'x' } },
    ];
    for (const input of inputs) {
      for (const r of deviceVerdict(goodDevice(input)).reasons) {
        const { text, ...data } = r;
        expect(text).toBe(reasonText(data));
      }
    }
  });
});

describe('formatBytes', () => {
  it('uses decimal units', () => {
    expect(formatBytes(10_360_000_000)).toBe('10.36 GB');
    expect(formatBytes(63_600_000)).toBe('63.6 MB');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});
