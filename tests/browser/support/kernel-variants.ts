import type { KernelVariant } from '../../harness/kernel-variants';

/**
 * The forms of the matrix-vector kernels' row sums, each test run in all three: the device's own (on
 * SwiftShader, subgroups of 4 and rows of at most 4 invocations: shuffles only), rows of up to 64
 * invocations (with subgroups: where K >= 512, several subgroups a row, summed through workgroup
 * memory), and the workgroup-memory fallback (rows of up to 32).
 */
export const KERNEL_VARIANTS: [name: string, variant: KernelVariant | undefined][] = [
  ['', undefined],
  [', rows of 64 invocations', { rowThreads: 64 }],
  [', no subgroups', { subgroups: false }],
];
