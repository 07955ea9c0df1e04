/**
 * Measures what this device offers DeepSeek-Coder-V2-Lite. Runs in the engine worker, where
 * navigator.gpu and navigator.storage exist (navigator.storage.persist() does not: the UI asks for that).
 */
import { allManifests } from '../store/db';
import { GPU_PROBE_CHUNK_BYTES, HIDDEN_SIZE, PROBE_TARGET_BYTES, ROUTED_EXPERTS_PER_LAYER } from './requirements';
import type {
  AdapterReport,
  DeviceReport,
  FeaturesReport,
  GpuMemoryReport,
  LimitsReport,
  StorageReport,
} from './types';
import { deviceVerdict, softwareRendererName } from './verdict';

interface GpuFindings {
  webgpu: boolean;
  adapterError: string | null;
  adapter: AdapterReport | null;
  limits: LimitsReport | null;
  features: FeaturesReport | null;
  gpuMemory: GpuMemoryReport;
}

/**
 * The GPU findings are measured once per worker: the memory probe allocates gigabytes, and once a
 * model is on the GPU it would measure what is left rather than what the device has.
 */
let gpuFindings: Promise<GpuFindings> | undefined;

export async function probeDevice(): Promise<DeviceReport> {
  gpuFindings ??= probeGpu();
  const [gpu, storage, stored] = await Promise.all([gpuFindings, probeStorage(), fullModelStored()]);
  const verdict = deviceVerdict({
    webgpu: gpu.webgpu,
    adapter: gpu.adapter,
    maxStorageBufferBindingSize: gpu.limits?.maxStorageBufferBindingSize ?? null,
    storageFree: storage.free,
    gpuMemory: gpu.gpuMemory,
    modelAlreadyStored: stored,
  });
  return { ...gpu, storage, verdict };
}

/** Is a complete model of DeepSeek-Coder-V2-Lite's shape (hidden 2048, 64 experts) in the store? */
async function fullModelStored(): Promise<boolean> {
  const models = await allManifests();
  return models.some(
    (m) => m.state === 'ready' && m.hparams.nEmbd === HIDDEN_SIZE && m.hparams.nExpert === ROUTED_EXPERTS_PER_LAYER,
  );
}

async function probeGpu(): Promise<GpuFindings> {
  const none = {
    adapter: null,
    limits: null,
    features: null,
    gpuMemory: { kind: 'skipped', reason: 'no-adapter' },
  } as const;
  if (!navigator.gpu) return { webgpu: false, adapterError: null, ...none };

  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { webgpu: true, adapterError: message(e), ...none };
  }
  if (!adapter) return { webgpu: true, adapterError: null, ...none };

  const report = describeAdapter(adapter);
  return {
    webgpu: true,
    adapterError: null,
    adapter: report,
    limits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
    features: { shaderF16: adapter.features.has('shader-f16'), subgroups: adapter.features.has('subgroups') },
    // On a software adapter the allocations would come out of system RAM: never probe there.
    gpuMemory: report.software ? { kind: 'skipped', reason: 'software-adapter' } : await measureGpuMemory(adapter),
  };
}

/**
 * The adapter, its limits and features, without measuring GPU memory (cheap, and safe with a model on
 * the GPU): what web-llm's getGPUVendor and getMaxStorageBufferBindingSize report. Null with no
 * WebGPU or no adapter.
 */
export async function adapterSummary(): Promise<{
  adapter: AdapterReport;
  limits: LimitsReport;
  features: FeaturesReport;
} | null> {
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }) : null;
  if (!adapter) return null;
  return {
    adapter: describeAdapter(adapter),
    limits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
    features: { shaderF16: adapter.features.has('shader-f16'), subgroups: adapter.features.has('subgroups') },
  };
}

function describeAdapter(adapter: GPUAdapter): AdapterReport {
  // adapter.info arrived in Chrome 114; GPUAdapter.isFallbackAdapter is its older, since-removed home.
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const legacyFallback = 'isFallbackAdapter' in adapter && adapter.isFallbackAdapter === true;
  const identity = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter === true || legacyFallback,
  };
  return { ...identity, software: softwareRendererName(identity) !== null };
}

/**
 * WebGPU has no memory query, so allocate 256 MiB buffers until every weight and the whole context are
 * covered (PROBE_TARGET_BYTES) or the GPU says out-of-memory, then free them all. Each buffer is cleared, because some drivers only reserve
 * address space at creation and commit memory when it is first touched.
 */
async function measureGpuMemory(adapter: GPUAdapter): Promise<GpuMemoryReport> {
  const chunk = Math.min(GPU_PROBE_CHUNK_BYTES, adapter.limits.maxBufferSize);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: { maxBufferSize: chunk },
      label: 'lite-coder memory probe',
    });
  } catch (e) {
    return { kind: 'failed', error: message(e) };
  }
  let lost = false;
  void device.lost.then(() => {
    lost = true;
  });

  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  let hitLimit = false;
  try {
    while (bytes < PROBE_TARGET_BYTES) {
      if (!(await allocateOne(device, chunk, buffers)) || lost) {
        hitLimit = true;
        break;
      }
      bytes += chunk;
    }
  } finally {
    for (const buffer of buffers) buffer.destroy();
    device.destroy();
  }
  return { kind: 'measured', bytes, target: PROBE_TARGET_BYTES, hitLimit };
}

/** Allocate and touch one buffer; false when the GPU refused it. */
async function allocateOne(device: GPUDevice, size: number, buffers: GPUBuffer[]): Promise<boolean> {
  device.pushErrorScope('out-of-memory');
  const buffer = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  buffers.push(buffer);
  const encoder = device.createCommandEncoder();
  encoder.clearBuffer(buffer);
  device.queue.submit([encoder.finish()]);
  try {
    const error = await device.popErrorScope();
    await device.queue.onSubmittedWorkDone();
    return error === null;
  } catch {
    // A lost device rejects here: count that as out of memory.
    return false;
  }
}

async function probeStorage(): Promise<StorageReport> {
  const report: StorageReport = { estimated: false, quota: null, usage: null, free: null, persisted: null };
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage) return report;
  try {
    const { quota, usage } = await storage.estimate();
    if (quota !== undefined) {
      report.estimated = true;
      report.quota = quota;
      report.usage = usage ?? 0;
      report.free = Math.max(0, quota - report.usage);
    }
  } catch {
    // Leave the estimate unknown; the verdict says so.
  }
  try {
    report.persisted = await storage.persisted();
  } catch {
    report.persisted = null;
  }
  return report;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
