/**
 * Every quant type's WGSL decoder against llama.cpp's own values (tests/fixtures/quants/: raw ggml blocks
 * and the f32 values gguf-py and ggml's C decode them to), through the kernels the model runs: matmul.wgsl
 * (prefill, `decode32`), matvec.wgsl (decode, `dot_unit`) and moe_matmul.wgsl (routed experts, `dot_unit`),
 * the matrix-vector ones in every kernel variant (row sums by subgroups, wide rows, workgroup memory).
 * The weights are the fixture's 70 blocks: as 70 rows of one block (so each block's result stands alone:
 * the edge cases, e.g. f16-subnormal scales, cannot hide in a row sum) and as rows of 5 or 7 blocks.
 * The reference is the f64 dot product of llama.cpp's values with X; the tolerance is the kernel tests'
 * (1e-5 of the sum of the terms' magnitudes).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { ggmlTypeByName, type GgmlType } from '../../workers/gguf/ggml-types';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { NOT_ON_GPU } from '../support/kernel-reference';
import { randomF32, rng } from '../support/random-tensors';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { variantsFor } from './support/kernel-variants';

const TYPES = [
  'Q4_0',
  'Q4_1',
  'Q5_0',
  'Q5_1',
  'Q8_0',
  'Q2_K',
  'Q3_K',
  'Q4_K',
  'Q5_K',
  'Q6_K',
  'IQ4_NL',
  'IQ4_XS',
  'IQ3_S',
  'IQ3_XXS',
  'IQ2_XXS',
  'IQ2_XS',
  'IQ2_S',
  'IQ1_S',
  'IQ1_M',
];

function vectors(type: GgmlType): { raw: Uint8Array; values: Float32Array } {
  const raw = new Uint8Array(readFileSync(`${FIXTURE_DIR}quants/${type.name}.bin`));
  const f = readFileSync(`${FIXTURE_DIR}quants/${type.name}.f32`);
  return { raw, values: new Float32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)) };
}

/** The shapes: one block a row (70 rows), and 5 (256-weight blocks) or 7 (32-weight) blocks a row. */
function shapes(type: GgmlType): { K: number; N: number }[] {
  const per = type.blockWeights === 256 ? 5 : 7;
  return [
    { K: type.blockWeights, N: 70 },
    { K: per * type.blockWeights, N: 70 / per },
  ];
}

/** Worst |got - want| / sum |terms| over Y[t][r] = sum_k W[r][k] X[t][k], W given as f32 values. */
function worstError(
  got: ArrayLike<number>,
  W: Float32Array,
  x: Float32Array,
  K: number,
  N: number,
  T: number,
): { worst: number; at: string } {
  let worst = 0,
    at = '';
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < N; r++) {
      let s = 0,
        mag = 0;
      for (let k = 0; k < K; k++) {
        const p = W[r * K + k]! * x[t * K + k]!;
        s += p;
        mag += Math.abs(p);
      }
      const g = got[t * N + r]!;
      const e = Math.abs(g - s) / (mag + 1e-30);
      if (!(e <= worst)) {
        worst = Number.isNaN(e) ? Infinity : e;
        at = `token ${t} row ${r}: got ${g}, want ${s}`;
      }
    }
  }
  return { worst, at };
}

async function open(page: Page, html: string): Promise<void> {
  await page.goto(`/tests/harness/${html}`);
  await expect(page.locator('body[data-ready="1"]')).toBeAttached();
}

for (const name of TYPES) {
  test(`${name}: matmul (T=3) and matvec (T=1, every variant) give llama.cpp's values`, async ({ page }) => {
    const type = ggmlTypeByName(name);
    const { raw, values } = vectors(type);
    await open(page, 'harness.html');
    const rand = rng(type.id * 977 + 5);
    const runs: [string, number, { name: string; variant?: object }[]][] = [
      ['matmul', 3, [{ name: '' }]],
      ['matvec', 1, variantsFor(name).map(([n, v]) => ({ name: n, ...(v ? { variant: v } : {}) }))],
    ];
    for (const { K, N } of shapes(type)) {
      for (const [kernel, T, variants] of runs) {
        const x = randomF32(T * K, rand);
        for (const v of variants) {
          const got = await page.evaluate(
            async (a) =>
              Array.from(
                await window.liteCoderHarness.matmul(
                  a.type,
                  a.K,
                  a.N,
                  a.T,
                  1,
                  new Uint8Array(a.w),
                  new Float32Array(a.x),
                  a.variant ? { variant: a.variant } : {},
                ),
              ),
            { type: name, K, N, T, w: Array.from(raw), x: Array.from(x), variant: v.variant },
          );
          const { worst, at } = worstError(got, values, x, K, N, T);
          expect(worst, `${kernel} K=${K} N=${N}${v.name}: worst at ${at}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  test(`${name}: moe_matmul (every variant) gives llama.cpp's values`, async ({ page }) => {
    const type = ggmlTypeByName(name);
    const { raw, values } = vectors(type);
    await open(page, 'kernels.html');
    const per = type.blockWeights === 256 ? 5 : 7;
    const K = per * type.blockWeights,
      N = 70 / per;
    const rowWords = storedRowBytes(type, K) / 4;
    const rowFile = per * type.blockBytes;
    // 4 experts: expert e is the fixture's rows rotated by e (so each differs); expert 2 is not on the GPU
    const E = 4,
      k = 2,
      T = 2;
    const rotate = <A extends Uint8Array | Float32Array>(a: A, e: number, n: number): A => {
      const out = a.slice() as A;
      out.set(a.subarray(e * n), 0);
      out.set(a.subarray(0, e * n), a.length - e * n);
      return out;
    };
    const before = 3; // words of another part before the one under test
    const slotWords = before + N * rowWords + 2;
    const pool = new Uint8Array(E * slotWords * 4).fill(0xa5);
    const table = [0, 1, 2, 3].map((e) => (e === 2 ? NOT_ON_GPU : e * slotWords));
    for (let e = 0; e < E; e++)
      pool.set(transcodeRows(type, K, rotate(raw, e, rowFile), N), (e * slotWords + before) * 4);
    const ids = [3, 2, 0, 1]; // [T][k]
    const rand = rng(type.id * 31 + 7);
    const x = randomF32(T * K, rand);
    for (const [variantName, variant] of variantsFor(type.name)) {
      const y = new Array<number>(T * k * N).fill(-1234.5);
      const got = await page.evaluate((a) => window.kernelHarness.moeMatmul(a), {
        type: name,
        pool: Array.from(pool),
        table,
        ids,
        x: Array.from(x),
        y,
        T,
        pos0: 0,
        K,
        N,
        rowWords,
        partWords: before,
        xStride: K,
        xPerPair: false,
        k,
        ...(variant ? { variant } : {}),
      });
      for (let p = 0; p < T * k; p++) {
        const out = got.slice(p * N, (p + 1) * N);
        if (table[ids[p]!] === NOT_ON_GPU) {
          expect(out, `pair ${p} (absent expert) left alone${variantName}`).toEqual(new Array<number>(N).fill(-1234.5));
          continue;
        }
        const W = rotate(values, ids[p]!, K);
        const xt = x.subarray(Math.floor(p / k) * K, (Math.floor(p / k) + 1) * K);
        const { worst, at } = worstError(out, W, xt, K, N, 1);
        expect(worst, `pair ${p} expert ${ids[p]}${variantName}: worst at ${at}`).toBeLessThan(1e-5);
      }
    }
  });
}

/**
 * The f16 path (KernelOptions.half 'f16': the //!dot16 dot units, chosen at load where the adapter has
 * shader-f16) in f16 arithmetic. Its logic runs on every adapter in the 'f16 path in f32' variant
 * above; here the rounding of X to f16 and of each 4-term dot (2^-11 relative each) is allowed: 2e-3 of
 * the terms' magnitudes. Skipped where the adapter has no shader-f16 (SwiftShader has none).
 */
for (const name of ['Q4_0', 'Q5_0', 'Q8_0', 'Q4_K', 'Q6_K']) {
  test(`${name}: matvec on the f16 path gives llama.cpp's values within f16 rounding`, async ({ page }) => {
    await open(page, 'harness.html');
    const f16 = await page.evaluate(
      async () => (await navigator.gpu.requestAdapter())?.features.has('shader-f16') ?? false,
    );
    test.skip(!f16, 'this adapter has no shader-f16');
    const type = ggmlTypeByName(name);
    const { raw, values } = vectors(type);
    const rand = rng(type.id * 331 + 9);
    for (const { K, N } of shapes(type)) {
      const x = randomF32(K, rand);
      const got = await page.evaluate(
        async (a) =>
          Array.from(
            await window.liteCoderHarness.matmul(a.type, a.K, a.N, 1, 1, new Uint8Array(a.w), new Float32Array(a.x), {
              variant: { half: 'f16' },
            }),
          ),
        { type: name, K, N, w: Array.from(raw), x: Array.from(x) },
      );
      const { worst, at } = worstError(got, values, x, K, N, 1);
      expect(worst, `matvec K=${K} N=${N}, f16: worst at ${at}`).toBeLessThan(2e-3);
    }
  });
}
