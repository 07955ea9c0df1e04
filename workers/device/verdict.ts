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
} from './requirements';
import type { AdapterReport, GpuMemoryReport, Verdict, VerdictInput, VerdictResult } from './types';

type AdapterIdentity = Pick<AdapterReport, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter'>;

const SOFTWARE_NAMES = ['swiftshader', 'llvmpipe', 'lavapipe', 'software'];

/** The name of the CPU renderer behind an adapter, or null for a hardware adapter. */
export function softwareRendererName(adapter: AdapterIdentity): string | null {
  for (const field of [adapter.architecture, adapter.description, adapter.vendor]) {
    const lower = field.toLowerCase();
    if (SOFTWARE_NAMES.some((name) => lower.includes(name))) return field;
  }
  return adapter.isFallbackAdapter ? 'a fallback adapter' : null;
}

/** Decimal units, as model hosts and browser storage settings show them: "10.36 GB". */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (abs >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (abs >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

const exact = (bytes: number) => `${bytes.toLocaleString('en-US')} bytes`;

const RANK: Record<Verdict, number> = { resident: 0, paged: 1, 'cannot-run': 2 };
const worse = (a: Verdict, b: Verdict): Verdict => (RANK[a] >= RANK[b] ? a : b);

export function deviceVerdict(input: VerdictInput): VerdictResult {
  const reasons: string[] = [];
  // Widened on purpose: block() changes it from a closure, which narrowing cannot see.
  let verdict = 'resident' as Verdict;
  const block = (reason: string) => {
    reasons.push(reason);
    verdict = 'cannot-run';
  };

  if (!input.webgpu) {
    block('This browser does not offer WebGPU, which Lite Coder needs to run the model on the GPU.');
  } else if (!input.adapter) {
    block('WebGPU is present but the browser gave no GPU adapter: the GPU may be blocklisted or WebGPU turned off.');
  } else {
    const software = softwareRendererName(input.adapter);
    if (software) {
      block(
        `The GPU adapter is a software renderer (${software}) that runs on the CPU: ` +
          'DeepSeek-Coder-V2-Lite would take minutes per token on it.',
      );
    }
  }

  if (input.maxStorageBufferBindingSize !== null && input.maxStorageBufferBindingSize < LARGEST_BOUND_TENSOR_BYTES) {
    block(
      `The GPU binds at most ${exact(input.maxStorageBufferBindingSize)} in one storage buffer, but the model's ` +
        `largest tensor (the output head, 102400 x 2048 weights at Q6_K) is ${exact(LARGEST_BOUND_TENSOR_BYTES)}.`,
    );
  }

  if (input.storageFree === null) {
    reasons.push(`The browser did not say how much storage is free, so it is unknown whether the ${formatBytes(MODEL_FILE_BYTES)} model fits.`);
  } else if (input.storageFree < MODEL_FILE_BYTES) {
    const shortBy = `Only ${formatBytes(input.storageFree)} of browser storage is free, ${formatBytes(MODEL_FILE_BYTES - input.storageFree)} short of the ${formatBytes(MODEL_FILE_BYTES)} the model takes`;
    if (input.modelAlreadyStored) reasons.push(`${shortBy}; that is fine, because the model is already stored.`);
    else block(`${shortBy}, so it cannot be imported.`);
  }

  verdict = worse(verdict, gpuMemoryVerdict(input.gpuMemory, reasons, verdict === 'cannot-run'));
  return { verdict, reasons };
}

/** The tier the measured GPU memory allows, adding the sentence that explains it. */
function gpuMemoryVerdict(memory: GpuMemoryReport, reasons: string[], alreadyBlocked: boolean): Verdict {
  switch (memory.kind) {
    case 'skipped':
      // The probe skips only where there is no hardware adapter, and that reason is already given.
      if (!alreadyBlocked) reasons.push('GPU memory was not measured, so there is no evidence the model fits on the GPU.');
      return 'cannot-run';
    case 'failed':
      reasons.push(`The GPU could not be opened to measure its memory (${memory.error}), so the model cannot run on it.`);
      return 'cannot-run';
    case 'measured': {
      const got = formatBytes(memory.bytes);
      if (memory.bytes >= RESIDENT_GPU_BYTES) {
        reasons.push(
          `The GPU accepted ${got} of buffers, enough for all ${formatBytes(MODEL_FILE_BYTES)} of weights plus ` +
            `${formatBytes(RESIDENT_WORKING_MARGIN)} of working room: all experts can stay on the GPU.`,
        );
        return 'resident';
      }
      const stopped = memory.hitLimit ? ' before running out of memory' : '';
      if (memory.bytes >= PAGED_GPU_BYTES) {
        reasons.push(
          `The GPU accepted ${got} of buffers${stopped}, less than the ${formatBytes(RESIDENT_GPU_BYTES)} needed to keep ` +
            `every weight on it, but enough for the ${formatBytes(NON_EXPERT_BYTES)} of non-expert weights, a ` +
            `${formatBytes(MIN_EXPERT_CACHE_BYTES)} expert cache and working room: experts will be paged from storage.`,
        );
        return 'paged';
      }
      reasons.push(
        `The GPU accepted only ${got} of buffers${stopped}; even paging experts from storage needs ${formatBytes(PAGED_GPU_BYTES)}.`,
      );
      return 'cannot-run';
    }
  }
}
