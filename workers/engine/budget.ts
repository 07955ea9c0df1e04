/**
 * The default expert budget, from the device check and the memory model (device/memory.ts): the GPU
 * memory it measured, less the dense weights, the KV cache and the working margin. Null keeps every
 * expert resident: when the probe reached its target (everything fits), or when there is no
 * measurement (a software adapter, which only ever runs small models).
 */
import { WORKING_MARGIN } from '../device/memory';
import type { GpuMemoryReport } from '../device/types';
import type { ModelManifest } from '../store/types';

/** Bytes for the expert cache, or null for all resident; `kvBytes` is the KV cache the load allocates. */
export function expertBudgetFromDevice(m: ModelManifest, gpu: GpuMemoryReport, kvBytes: number): number | null {
  if (gpu.kind !== 'measured' || !gpu.hitLimit) return null;
  const dense = m.dense.reduce((n, t) => n + t.nRows * t.rowStride, 0);
  return Math.max(0, gpu.bytes - dense - kvBytes - WORKING_MARGIN);
}
