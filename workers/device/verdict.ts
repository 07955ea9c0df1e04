/**
 * Whether DeepSeek-Coder-V2-Lite can run on a device, from the figures the probe measured.
 * Pure: no browser APIs, so it is unit-tested in node and can run on either thread.
 */
import {
  LARGEST_BOUND_TENSOR_BYTES,
  MODEL_FILE_BYTES,
  NON_EXPERT_BYTES,
  MIN_EXPERT_CACHE_BYTES,
  PAGED_GPU_BYTES,
  RESIDENT_GPU_BYTES,
  RESIDENT_WORKING_MARGIN,
  KV_SHAPE,
} from './requirements';
import { formatBytes } from '../format';
import { planMemory } from './memory';
import type {
  AdapterReport,
  GpuMemoryReport,
  Verdict,
  VerdictInput,
  VerdictReason,
  VerdictReasonData,
  VerdictResult,
} from './types';

type AdapterIdentity = Pick<AdapterReport, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter'>;

const SOFTWARE_NAMES = ['swiftshader', 'llvmpipe', 'lavapipe', 'software'];

const FALLBACK_NAME = 'a fallback adapter';

/** The name of the CPU renderer behind an adapter, or null for a hardware adapter. */
export function softwareRendererName(adapter: AdapterIdentity): string | null {
  return namedSoftwareRenderer(adapter) ?? (adapter.isFallbackAdapter ? FALLBACK_NAME : null);
}

/** The field that names a known CPU renderer, ignoring isFallbackAdapter. */
function namedSoftwareRenderer(adapter: AdapterIdentity): string | null {
  for (const field of [adapter.architecture, adapter.description, adapter.vendor]) {
    const lower = field.toLowerCase();
    if (SOFTWARE_NAMES.some((name) => lower.includes(name))) return field;
  }
  return null;
}

const exact = (bytes: number) => `${bytes.toLocaleString('en-US')} bytes`;

/** A finding as a plain English sentence. The page words the same codes in its own languages. */
export function reasonText(r: VerdictReasonData): string {
  switch (r.code) {
    case 'no-webgpu':
      return 'This browser does not offer WebGPU, which Lite Coder needs to run the model on the GPU.';
    case 'no-adapter':
      return 'WebGPU is present but the browser gave no GPU adapter: the GPU may be blocklisted or WebGPU turned off.';
    case 'software-adapter':
      return (
        `The GPU adapter is a software renderer (${r.fallback ? FALLBACK_NAME : r.renderer}) that runs on the CPU: ` +
        'DeepSeek-Coder-V2-Lite would take minutes per token on it.'
      );
    case 'binding-too-small':
      return (
        `The GPU binds at most ${exact(r.maxBinding)} in one storage buffer, but the model's ` +
        `largest tensor (the output head, 102400 x 2048 weights at Q6_K) is ${exact(r.needed)}.`
      );
    case 'storage-unknown':
      return `The browser did not say how much storage is free, so it is unknown whether the ${formatBytes(r.modelBytes)} model fits.`;
    case 'storage-short':
    case 'storage-short-stored': {
      const shortBy = `Only ${formatBytes(r.free)} of browser storage is free, ${formatBytes(r.modelBytes - r.free)} short of the ${formatBytes(r.modelBytes)} the model takes`;
      return r.code === 'storage-short'
        ? `${shortBy}, so it cannot be imported.`
        : `${shortBy}; that is fine, because the model is already stored.`;
    }
    case 'gpu-memory-unmeasured':
      return 'GPU memory was not measured, so there is no evidence the model fits on the GPU.';
    case 'gpu-memory-failed':
      return `The GPU could not be opened to measure its memory (${r.error}), so the model cannot run on it.`;
    case 'gpu-resident':
      return (
        `The GPU accepted ${formatBytes(r.accepted)} of buffers, enough for all ${formatBytes(r.modelBytes)} of weights plus ` +
        `${formatBytes(r.margin)} of working room: all experts can stay on the GPU.`
      );
    case 'gpu-paged':
      return (
        `The GPU accepted ${formatBytes(r.accepted)} of buffers${r.hitLimit ? ' before running out of memory' : ''}, less than the ` +
        `${formatBytes(r.residentBytes)} needed to keep every weight on it, but enough for the ${formatBytes(r.nonExpertBytes)} ` +
        `of non-expert weights, a ${formatBytes(r.cacheBytes)} expert cache and working room: experts will be paged from storage.`
      );
    case 'gpu-too-small':
      return (
        `The GPU accepted only ${formatBytes(r.accepted)} of buffers${r.hitLimit ? ' before running out of memory' : ''}; ` +
        `even paging experts from storage needs ${formatBytes(r.pagedBytes)}.`
      );
  }
}

const reason = (data: VerdictReasonData): VerdictReason => ({ ...data, text: reasonText(data) });

const RANK: Record<Verdict, number> = { resident: 0, paged: 1, 'cannot-run': 2 };
const worse = (a: Verdict, b: Verdict): Verdict => (RANK[a] >= RANK[b] ? a : b);

export function deviceVerdict(input: VerdictInput): VerdictResult {
  const reasons: VerdictReason[] = [];
  // Widened on purpose: block() changes it from a closure, which narrowing cannot see.
  let verdict = 'resident' as Verdict;
  const note = (data: VerdictReasonData) => {
    reasons.push(reason(data));
  };
  const block = (data: VerdictReasonData) => {
    note(data);
    verdict = 'cannot-run';
  };

  if (!input.webgpu) {
    block({ code: 'no-webgpu' });
  } else if (!input.adapter) {
    block({ code: 'no-adapter' });
  } else {
    const named = namedSoftwareRenderer(input.adapter);
    if (named !== null) block({ code: 'software-adapter', renderer: named, fallback: false });
    else if (input.adapter.isFallbackAdapter) block({ code: 'software-adapter', renderer: '', fallback: true });
  }

  if (input.maxStorageBufferBindingSize !== null && input.maxStorageBufferBindingSize < LARGEST_BOUND_TENSOR_BYTES) {
    block({
      code: 'binding-too-small',
      maxBinding: input.maxStorageBufferBindingSize,
      needed: LARGEST_BOUND_TENSOR_BYTES,
    });
  }

  if (input.storageFree === null) {
    note({ code: 'storage-unknown', modelBytes: MODEL_FILE_BYTES });
  } else if (input.storageFree < MODEL_FILE_BYTES) {
    if (input.modelAlreadyStored)
      note({ code: 'storage-short-stored', free: input.storageFree, modelBytes: MODEL_FILE_BYTES });
    else block({ code: 'storage-short', free: input.storageFree, modelBytes: MODEL_FILE_BYTES });
  }

  const gpu = gpuMemoryVerdict(input.gpuMemory, verdict === 'cannot-run');
  if (gpu.reason) note(gpu.reason);
  verdict = worse(verdict, gpu.verdict);
  const contextTokens =
    verdict === 'cannot-run'
      ? null
      : planMemory({
          hp: KV_SHAPE,
          denseBytes: NON_EXPERT_BYTES,
          expertBytes: MODEL_FILE_BYTES - NON_EXPERT_BYTES,
          gpu: input.gpuMemory,
          kvType: 'F16',
          maxBinding: input.maxStorageBufferBindingSize ?? LARGEST_BOUND_TENSOR_BYTES,
        }).contextLength;
  return { verdict, reasons, contextTokens };
}

/** The tier the measured GPU memory allows, and the finding that explains it. */
function gpuMemoryVerdict(
  memory: GpuMemoryReport,
  alreadyBlocked: boolean,
): { verdict: Verdict; reason: VerdictReasonData | null } {
  switch (memory.kind) {
    case 'skipped':
      // The probe skips only where there is no hardware adapter, and that reason is already given.
      return { verdict: 'cannot-run', reason: alreadyBlocked ? null : { code: 'gpu-memory-unmeasured' } };
    case 'failed':
      return { verdict: 'cannot-run', reason: { code: 'gpu-memory-failed', error: memory.error } };
    case 'measured': {
      const accepted = memory.bytes;
      if (accepted >= RESIDENT_GPU_BYTES) {
        return {
          verdict: 'resident',
          reason: { code: 'gpu-resident', accepted, modelBytes: MODEL_FILE_BYTES, margin: RESIDENT_WORKING_MARGIN },
        };
      }
      if (accepted >= PAGED_GPU_BYTES) {
        return {
          verdict: 'paged',
          reason: {
            code: 'gpu-paged',
            accepted,
            hitLimit: memory.hitLimit,
            residentBytes: RESIDENT_GPU_BYTES,
            nonExpertBytes: NON_EXPERT_BYTES,
            cacheBytes: MIN_EXPERT_CACHE_BYTES,
          },
        };
      }
      return {
        verdict: 'cannot-run',
        reason: { code: 'gpu-too-small', accepted, hitLimit: memory.hitLimit, pagedBytes: PAGED_GPU_BYTES },
      };
    }
  }
}
