import type { KernelVariant } from '../../harness/kernel-variants';

/**
 * The forms of the matrix-vector kernels, each test run in every one: the row sums of the device's own (on
 * SwiftShader, subgroups of 4 and rows of at most 4 invocations: shuffles only), rows of up to 64
 * invocations (with subgroups: where K >= 512, several subgroups a row, summed through workgroup
 * memory), the workgroup-memory fallback (rows of up to 32), and the f16 path's code (run in f32
 * here; in f16 where the adapter has shader-f16, quant-kernels.spec.ts).
 */
export const KERNEL_VARIANTS: [name: string, variant: KernelVariant | undefined][] = [
  ['', undefined],
  [', rows of 64 invocations', { rowThreads: 64 }],
  [', no subgroups', { subgroups: false }],
  // the f16 path's dot units (kernels/quant/*.wgsl, //!dot16) with f32 arithmetic: their logic, on any adapter
  [', f16 path in f32', { half: 'f32' }],
];

/** The types whose decoders have an f16 dot unit (`//!dot16`, workers/runtime/kernels.ts). */
const DOT16 = new Set(['Q4_0', 'Q5_0', 'Q8_0', 'Q4_K', 'Q6_K']);

/**
 * The variants that differ for `type`: the f16 path's code exists only for the DOT16 types (for the
 * others it is the default form again, so running it would test nothing new and cost suite time).
 */
export function variantsFor(type: string): typeof KERNEL_VARIANTS {
  return KERNEL_VARIANTS.filter(([, v]) => !v?.half || DOT16.has(type));
}
