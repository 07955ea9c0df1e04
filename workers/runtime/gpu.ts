/**
 * The GPU device the runtime runs on. Limits are raised to what the adapter allows (model tensors are
 * large); shader-f16 and subgroups are taken when offered. The matrix-vector kernels sum rows with
 * subgroup operations where the device has them (KernelLibrary), and nothing needs either.
 */
import { GpuError } from '../errors';

export interface Gpu {
  readonly device: GPUDevice;
  readonly adapterName: string;
  readonly maxBinding: number;
  readonly maxBuffer: number;
  /** resolves with a message when the device is lost (driver reset, GPU removed, destroy()) */
  readonly lost: Promise<string>;
}

export async function acquireGpu(): Promise<Gpu> {
  if (!navigator.gpu) throw new GpuError('WebGPU is not available in this browser.');
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuError('No WebGPU adapter is available (the GPU may be blocklisted or disabled).');
  const features: GPUFeatureName[] = [];
  for (const f of ['shader-f16', 'subgroups'] as const) if (adapter.features.has(f)) features.push(f);
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: Math.min(10, adapter.limits.maxStorageBuffersPerShaderStage),
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
    label: 'lite-coder runtime',
  });
  const lost = device.lost.then((info) => `The GPU device was lost (${info.reason}): ${info.message || 'no details'}.`);
  return {
    device,
    adapterName: [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'unknown adapter',
    maxBinding: device.limits.maxStorageBufferBindingSize,
    maxBuffer: device.limits.maxBufferSize,
    lost,
  };
}
