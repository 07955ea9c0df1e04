/** Each kernel against a plain TypeScript reference, on random inputs and awkward shapes. */
import type { Page } from '@playwright/test';
import { dequantFileRows } from '../../workers/gguf/dequant';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { randomF32, randomTensorBytes, rng } from '../support/random-tensors';
import { expect, test } from './support/fixtures';
import type { KernelVariant } from '../harness/kernel-variants';
import { KERNEL_VARIANTS, variantsFor } from './support/kernel-variants';

async function openHarness(page: Page) {
  await page.goto('/tests/harness/harness.html');
  await expect(page.locator('body[data-ready="1"]')).toBeAttached();
}

/** Largest |got - want| relative to the scale of the terms summed. */
function maxRelError(got: Float32Array, want: Float64Array, scale: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (scale[i]! + 1e-30));
  return worst;
}

const CASES: [type: string, K: number, N: number, T: number, Z: number][] = [
  ['F32', 96, 37, 1, 1],
  ['F32', 64, 5, 11, 3],
  ['F16', 160, 33, 3, 1],
  ['BF16', 64, 17, 9, 2],
  ['Q4_0', 96, 70, 1, 1],
  ['Q4_0', 2048, 3, 1, 1],
  ['Q4_1', 64, 19, 12, 1],
  ['Q5_0', 1408, 9, 2, 1],
  ['Q8_0', 96, 41, 17, 2],
  ['Q4_K', 512, 23, 1, 1],
  ['Q4_K', 256, 7, 10, 2],
  ['Q6_K', 256, 13, 1, 1],
  ['Q6_K', 768, 5, 9, 1],
];

/**
 * Steps of one token run matvec.wgsl: every type, K not a multiple of 256 where the type allows (nor
 * of 64), N not a multiple of the rows a workgroup computes, a single row, Z batches.
 */
const ONE_TOKEN: [type: string, K: number, N: number, Z: number][] = [
  ['F32', 32, 1, 1],
  ['F32', 128, 19, 3],
  ['F16', 160, 33, 1],
  ['BF16', 96, 17, 2],
  ['Q4_0', 160, 1, 1],
  ['Q4_0', 2080, 33, 1],
  ['Q4_0', 4128, 5, 1], // rows of up to 64 invocations: 64 of them
  ['Q4_1', 96, 19, 1],
  ['Q5_0', 1408, 9, 1],
  ['Q8_0', 96, 41, 2],
  ['Q8_0', 1440, 17, 1],
  ['Q4_K', 768, 1, 1],
  ['Q4_K', 2304, 9, 2],
  ['Q6_K', 1280, 5, 3],
  ['Q6_K', 256, 67, 1],
];

interface Case {
  type: string;
  K: number;
  N: number;
  T: number;
  Z: number;
  accumulate?: boolean;
  variant?: KernelVariant;
}

async function check(page: Page, c: Case): Promise<void> {
  const { type, K, N, T, Z } = c;
  await openHarness(page);
  const rand = rng(K * 7919 + N * 31 + T + Z);
  const t = ggmlTypeByName(type);
  const file = randomTensorBytes(t, K, N * Z, rand);
  const x = randomF32(Z * T * K, rand);
  const y0 = c.accumulate ? randomF32(Z * T * N, rand) : undefined;
  const got = new Float32Array(
    await page.evaluate(
      async ({ type, K, N, T, Z, w, x, y0, variant }) =>
        Array.from(
          await window.liteCoderHarness.matmul(type, K, N, T, Z, new Uint8Array(w), new Float32Array(x), {
            ...(y0 ? { y0: new Float32Array(y0) } : {}),
            ...(variant ? { variant } : {}),
          }),
        ),
      { type, K, N, T, Z, w: Array.from(file), x: Array.from(x), y0: y0 && Array.from(y0), variant: c.variant },
    ),
  );
  const W = dequantFileRows(t, file, K, N * Z);
  const want = new Float64Array(Z * T * N);
  const scale = new Float64Array(Z * T * N);
  for (let z = 0; z < Z; z++)
    for (let tt = 0; tt < T; tt++)
      for (let r = 0; r < N; r++) {
        const i = (z * T + tt) * N + r;
        let s = y0 ? y0[i]! : 0,
          a = y0 ? Math.abs(y0[i]!) : 0;
        for (let k = 0; k < K; k++) {
          const p = W[(z * N + r) * K + k]! * x[(z * T + tt) * K + k]!;
          s += p;
          a += Math.abs(p);
        }
        want[i] = s;
        scale[i] = a;
      }
  expect(got.length).toBe(want.length);
  expect(maxRelError(got, want, scale)).toBeLessThan(1e-5);
}

test.describe('matmul kernel', () => {
  for (const [type, K, N, T, Z] of CASES) {
    test(`${type} K=${K} N=${N} T=${T} Z=${Z}`, async ({ page }) => {
      await check(page, { type, K, N, T, Z });
    });
  }
  test('Q8_0 K=96 N=41 T=5 Z=2, accumulating', async ({ page }) => {
    await check(page, { type: 'Q8_0', K: 96, N: 41, T: 5, Z: 2, accumulate: true });
  });
});

test.describe('matvec kernel (one token)', () => {
  for (const [type, K, N, Z] of ONE_TOKEN) {
    for (const [name, variant] of variantsFor(type)) {
      test(`${type} K=${K} N=${N} Z=${Z}${name}`, async ({ page }) => {
        await check(page, { type, K, N, T: 1, Z, ...(variant ? { variant } : {}) });
      });
    }
  }
  for (const [name, variant] of KERNEL_VARIANTS) {
    test(`Q4_K K=512 N=23, accumulating${name}`, async ({ page }) => {
      await check(page, { type: 'Q4_K', K: 512, N: 23, T: 1, Z: 1, accumulate: true, ...(variant ? { variant } : {}) });
    });
  }
});
