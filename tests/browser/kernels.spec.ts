/** Each kernel against a plain TypeScript reference, on random inputs and awkward shapes. */
import type { Page } from '@playwright/test';
import { dequantFileRows } from '../../workers/gguf/dequant';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { randomF32, randomTensorBytes, rng } from '../support/random-tensors';
import { expect, test } from './support/fixtures';

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

test.describe('matmul kernel', () => {
  for (const [type, K, N, T, Z] of CASES) {
    test(`${type} K=${K} N=${N} T=${T} Z=${Z}`, async ({ page }) => {
      await openHarness(page);
      const rand = rng(K * 7919 + N * 31 + T + Z);
      const t = ggmlTypeByName(type);
      const file = randomTensorBytes(t, K, N * Z, rand);
      const x = randomF32(Z * T * K, rand);
      const got = new Float32Array(await page.evaluate(
        async ({ type, K, N, T, Z, w, x }) => Array.from(await window.liteCoderHarness.matmul(type, K, N, T, Z, new Uint8Array(w), new Float32Array(x))),
        { type, K, N, T, Z, w: Array.from(file), x: Array.from(x) },
      ));
      const W = dequantFileRows(t, file, K, N * Z);
      const want = new Float64Array(Z * T * N);
      const scale = new Float64Array(Z * T * N);
      for (let z = 0; z < Z; z++) for (let tt = 0; tt < T; tt++) for (let r = 0; r < N; r++) {
        let s = 0, a = 0;
        for (let k = 0; k < K; k++) { const p = W[(z * N + r) * K + k]! * x[(z * T + tt) * K + k]!; s += p; a += Math.abs(p); }
        want[(z * T + tt) * N + r] = s;
        scale[(z * T + tt) * N + r] = a;
      }
      expect(got.length).toBe(want.length);
      expect(maxRelError(got, want, scale)).toBeLessThan(1e-5);
    });
  }
});
