/** What the device check found, as plain data that crosses the worker boundary (structured clone). */

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  /** Often empty: browsers only fill it in for some adapters. */
  description: string;
  isFallbackAdapter: boolean;
  /** A CPU implementation (SwiftShader, llvmpipe, lavapipe, or a fallback adapter). */
  software: boolean;
}

export interface LimitsReport {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface FeaturesReport {
  shaderF16: boolean;
  subgroups: boolean;
}

export interface StorageReport {
  /** navigator.storage.estimate() answered. */
  estimated: boolean;
  quota: number | null;
  usage: number | null;
  /** quota minus usage. */
  free: number | null;
  /** null where the browser did not say. */
  persisted: boolean | null;
}

/**
 * WebGPU cannot report GPU memory, so the probe allocates buffers until it has what the model needs
 * or the GPU refuses. It never runs on a software adapter, whose "GPU memory" is system RAM.
 */
export type GpuMemoryReport =
  | { kind: 'skipped'; reason: 'no-adapter' | 'software-adapter' }
  | {
      kind: 'measured';
      /** Bytes the GPU accepted before the probe stopped. */
      bytes: number;
      /** The probe stops once it reaches this (everything resident); it does not look further. */
      target: number;
      /** An allocation failed before the target was reached: `bytes` is about what the GPU has. */
      hitLimit: boolean;
    }
  | { kind: 'failed'; error: string };

export type Verdict = 'resident' | 'paged' | 'cannot-run';

/**
 * One finding behind a verdict: a stable `code` with the figures it cites, so the page can word it in
 * the interface language, and `text`, the same finding as a plain English sentence (logs, the CLI).
 * Byte counts are plain numbers; the wording formats them.
 */
export type VerdictReasonData =
  | { code: 'no-webgpu' }
  | { code: 'no-adapter' }
  /** `renderer` is what named it (architecture, description or vendor); `fallback` when only isFallbackAdapter did. */
  | { code: 'software-adapter'; renderer: string; fallback: boolean }
  | { code: 'binding-too-small'; maxBinding: number; needed: number }
  | { code: 'storage-unknown'; modelBytes: number }
  /** Too little free storage to import the model: blocks. */
  | { code: 'storage-short'; free: number; modelBytes: number }
  /** Too little free storage, but the model is already stored: only a note. */
  | { code: 'storage-short-stored'; free: number; modelBytes: number }
  | { code: 'gpu-memory-unmeasured' }
  | { code: 'gpu-memory-failed'; error: string }
  | { code: 'gpu-resident'; accepted: number; modelBytes: number; margin: number }
  | {
      code: 'gpu-paged';
      accepted: number;
      hitLimit: boolean;
      residentBytes: number;
      nonExpertBytes: number;
      cacheBytes: number;
    }
  | { code: 'gpu-too-small'; accepted: number; hitLimit: boolean; pagedBytes: number };

export type VerdictReasonCode = VerdictReasonData['code'];

export type VerdictReason = VerdictReasonData & { text: string };

export interface VerdictResult {
  verdict: Verdict;
  /** One per finding, in order: WebGPU and the adapter, binding size, storage, GPU memory. */
  reasons: VerdictReason[];
  /**
   * The context (tokens) this device gives the model with an f16 KV cache, from the memory model the
   * runtime loads with (memory.ts, planMemory); null when it cannot run
   */
  contextTokens: number | null;
}

/** What deviceVerdict() needs: the measurements, without presentation details. */
export interface VerdictInput {
  webgpu: boolean;
  adapter: Pick<AdapterReport, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter'> | null;
  maxStorageBufferBindingSize: number | null;
  /** Free storage quota in bytes; null when the browser gave no estimate. */
  storageFree: number | null;
  gpuMemory: GpuMemoryReport;
  /** The model is already in the store, so free space no longer matters. Default false. */
  modelAlreadyStored?: boolean;
}

export interface DeviceReport {
  /** navigator.gpu exists. */
  webgpu: boolean;
  /** Why the adapter could not be had, if it could not. */
  adapterError: string | null;
  adapter: AdapterReport | null;
  limits: LimitsReport | null;
  features: FeaturesReport | null;
  storage: StorageReport;
  gpuMemory: GpuMemoryReport;
  /** Computed in the worker assuming the model is not stored yet. */
  verdict: VerdictResult;
}
