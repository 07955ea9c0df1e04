/**
 * Kernel libraries with other options than the device's own (no subgroups, other row widths, the
 * f16 path's code in f32), one
 * per set of options, so that the kernel tests reach every form of the kernels on one adapter.
 */
import { KernelLibrary, type KernelOptions } from '../../workers/runtime/kernels';

export type KernelVariant = Partial<KernelOptions>;

const libraries = new Map<string, KernelLibrary>();

/** The library for `variant` on the page's one device (the device's own options where not given). */
export function kernelLibrary(device: GPUDevice, variant: KernelVariant = {}): KernelLibrary {
  const key = JSON.stringify([variant.subgroups, variant.rowThreads, variant.half, variant.parallelism]);
  let kernels = libraries.get(key);
  if (!kernels) libraries.set(key, (kernels = new KernelLibrary(device, variant)));
  if (variant.subgroups && !kernels.options.subgroups) throw new Error('this adapter has no subgroups');
  if (variant.half === 'f16' && kernels.options.half !== 'f16') throw new Error('this adapter has no shader-f16');
  return kernels;
}
