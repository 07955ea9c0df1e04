/**
 * The model kernels (embed, rmsnorm, rope, mla_attention, silu_mul, moe_route, moe_matmul,
 * moe_combine) against the f64 references of tests/support/kernel-reference.ts, on seeded random
 * inputs and edge shapes. Each kernel runs through the Ops factory the model records it with
 * (tests/harness/kernels-harness.ts), so these check what the model runs: Params layout, workgroup
 * counts and all.
 */
import type { Page } from '@playwright/test';
import type { ViewLayout } from '../../workers/runtime/ops';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { attentionScale, ropeFrequencies, ropeTable } from '../../workers/runtime/rope-yarn';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import {
  attentionRef,
  combineRef,
  DEEPSEEK_CODER_V2_LITE as LITE,
  embedRef,
  moeGluRef,
  moeMatmulRef,
  NOT_ON_GPU,
  ropeRef,
  rmsnormRef,
  routeRef,
  siluMulRef,
  type Reference,
  type RmsnormShape,
  type RopeShape,
} from '../support/kernel-reference';
import { randomF32, randomTensorBytes, rng } from '../support/random-tensors';
import { expect, test } from './support/fixtures';
import { variantsFor } from './support/kernel-variants';

async function openHarness(page: Page) {
  await page.goto('/tests/harness/kernels.html');
  await expect(page.locator('body[data-ready="1"]')).toBeAttached();
}

/** Tolerances: `rel` times the magnitude of the terms summed, plus `abs`. */
const SUMS = { rel: 1e-5, abs: 0 };
const ELEMENTWISE = { rel: 1e-6, abs: 1e-6 };

/**
 * Every element of `got` within rel * mag + abs of the reference where the kernel writes, and bit
 * for bit what the buffer held before everywhere else.
 */
function expectClose(got: readonly number[], ref: Reference, tol: { rel: number; abs: number }, what: string): void {
  expect(got.length, `${what}: length`).toBe(ref.want.length);
  const bad: string[] = [];
  let badCount = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = ref.want[i]!;
    if (!ref.touched[i]) {
      if (g !== w) {
        badCount++;
        if (bad.length < 5) bad.push(`[${i}] must be left alone: was ${w}, now ${g}`);
      }
      continue;
    }
    const limit = tol.rel * ref.mag[i]! + tol.abs;
    const err = Math.abs(g - w);
    if (!(err <= limit)) {
      badCount++;
      if (bad.length < 5)
        bad.push(`[${i}] got ${g}, want ${w} (error ${err.toExponential(2)}, allowed ${limit.toExponential(2)})`);
    }
  }
  expect(bad, `${what}: ${badCount} of ${got.length} values wrong`).toEqual([]);
}

const f32 = (n: number, rand: () => number, scale = 1) => Array.from(randomF32(n, rand), (v) => Math.fround(v * scale));
const fill = (n: number, v: number) => new Array<number>(n).fill(v);
const randInt = (rand: () => number, n: number) => Math.floor(rand() * n);
/** A value no kernel computes, for what must be left alone. */
const UNTOUCHED = -1234.5;

// ---------------------------------------------------------------------------------------------------

test.describe('embed kernel', () => {
  const CASES: [type: string, K: number, nRows: number, T: number][] = [
    ['F32', 96, 40, 1],
    ['F32', 2080, 5, 3], // 65 units of 32: one invocation decodes two
    ['Q4_0', 64, 30, 12],
    ['Q8_0', 160, 17, 9],
    ['Q4_K', 512, 10, 1],
    ['Q4_K', 2048, 4, 3],
    ['Q6_K', 256, 12, 10],
    ['Q5_0', 2240, 6, 2], // 70 units
    ['F16', 96, 9, 2],
    ['BF16', 64, 9, 2],
    ['Q4_1', 128, 9, 2],
  ];
  for (const [type, K, nRows, T] of CASES) {
    test(`${type} K=${K} rows=${nRows} T=${T}`, async ({ page }) => {
      await openHarness(page);
      const rand = rng(K * 131 + nRows * 7 + T);
      const t = ggmlTypeByName(type);
      const file = randomTensorBytes(t, K, nRows, rand);
      // the last row and row 0 always, repeats likely
      const ids = Array.from({ length: T }, (_, i) => (i === 0 ? nRows - 1 : i === 1 ? 0 : randInt(rand, nRows)));
      const x = fill((T + 2) * K, UNTOUCHED); // two rows past the step must stay as they were
      const got = await page.evaluate((a) => window.kernelHarness.embed(a), {
        type,
        K,
        nRows,
        file: Array.from(file),
        ids,
        x,
        T,
        pos0: 0,
      });
      expectClose(got, embedRef(t, K, file, nRows, ids, x), ELEMENTWISE, 'X');
    });
  }
});

// ---------------------------------------------------------------------------------------------------

test.describe('rmsnorm kernel', () => {
  type Case = Omit<RmsnormShape, 'eps'> & {
    name: string;
    yRows: number;
    seed: number;
    xScale?: number;
    zeroRow?: number;
  };
  const rows = (row: number, base = 0, atPosition = false): ViewLayout => ({ base, row, head: 0, atPosition });
  const plain = (dim: number, T: number) => ({
    dim,
    x: rows(dim),
    y: rows(dim),
    lastOnly: false,
    T,
    pos0: 0,
    yRows: T,
  });
  const CASES: Case[] = [
    { name: 'dim 100, T=1', ...plain(100, 1), seed: 1 },
    { name: 'dim 2048 (the model), T=3', ...plain(2048, 3), seed: 2 },
    {
      name: 'dim 37 < 64, T=9, offsets and strides, a zero row',
      ...plain(37, 9),
      x: rows(50, 5),
      y: rows(41, 3),
      yRows: 10,
      seed: 3,
      zeroRow: 4,
    },
    { name: 'large values (x * 1e3), dim 300, T=2', ...plain(300, 2), seed: 4, xScale: 1000 },
    // attn_kv_a_norm: kv_cmpr = rmsnorm(kv_a[:, :R]) written into the cache row pos0 + t, k_pe left alone
    {
      name: 'into the KV cache: R=512, pos0=150, T=4',
      dim: 512,
      x: rows(576),
      y: rows(576, 0, true),
      lastOnly: false,
      T: 4,
      pos0: 150,
      yRows: 156,
      seed: 5,
    },
    {
      name: 'into the KV cache: R=64, pos0=3, T=10',
      dim: 64,
      x: rows(80),
      y: rows(80, 0, true),
      lastOnly: false,
      T: 10,
      pos0: 3,
      yRows: 15,
      seed: 6,
    },
    { name: 'last token only: dim 130, T=5', ...plain(130, 5), lastOnly: true, yRows: 3, seed: 7 },
    { name: 'last token only: dim 2048, T=1, pos0=40', ...plain(2048, 1), lastOnly: true, pos0: 40, yRows: 1, seed: 8 },
  ];
  for (const c of CASES) {
    test(c.name, async ({ page }) => {
      await openHarness(page);
      const rand = rng(1000 + c.seed);
      const eps = 1e-6;
      const x = f32(c.x.base + c.T * c.x.row, rand, c.xScale ?? 1);
      if (c.zeroRow !== undefined) x.fill(0, c.x.base + c.zeroRow * c.x.row, c.x.base + c.zeroRow * c.x.row + c.dim);
      const g = f32(c.dim, rand).map((v) => Math.fround(1 + 0.5 * v));
      const y = f32(c.y.base + c.yRows * c.y.row, rand); // what the cache (or buffer) held before
      const got = await page.evaluate((a) => window.kernelHarness.rmsnorm(a), { shape: { ...c, eps }, x, g, y });
      expectClose(got, rmsnormRef(x, g, y, { ...c, eps }), SUMS, 'Y');
    });
  }
});

// ---------------------------------------------------------------------------------------------------

test.describe('rope kernel', () => {
  type Case = RopeShape & { name: string; yRows: number; xRows: number; seed: number };
  const H = 3,
    nope = 16;
  const at = (base: number, row: number, head: number, atPosition = false): ViewLayout => ({
    base,
    row,
    head,
    atPosition,
  });
  const CASES: Case[] = [
    // q_pe: from inside q ([T][H][nope + rope]) into q_pe ([T][H][rope])
    {
      name: 'q_pe: n_rot 64, 3 heads, T=2, pos0=5000',
      nRot: 64,
      heads: H,
      x: at(nope, H * (nope + 64), nope + 64),
      y: at(0, H * 64, 64),
      T: 2,
      pos0: 5000,
      xRows: 2,
      yRows: 2,
      seed: 1,
    },
    {
      name: 'q_pe: n_rot 16, 16 heads, T=1, pos0=37',
      nRot: 16,
      heads: 16,
      x: at(128, 16 * 144, 144),
      y: at(0, 16 * 16, 16),
      T: 1,
      pos0: 37,
      xRows: 1,
      yRows: 1,
      seed: 2,
    },
    // k_pe: from kv_a ([T][R + rope]) into the cache rows pos0 + t, kv_cmpr left alone
    {
      name: 'k_pe into the cache: R=32, n_rot 64, pos0=150, T=9',
      nRot: 64,
      heads: 1,
      x: at(32, 96, 0),
      y: at(32, 96, 0, true),
      T: 9,
      pos0: 150,
      xRows: 9,
      yRows: 165,
      seed: 3,
    },
    {
      name: 'k_pe into the cache: R=64, n_rot 16, pos0=0, T=12',
      nRot: 16,
      heads: 1,
      x: at(64, 80, 0),
      y: at(64, 80, 0, true),
      T: 12,
      pos0: 0,
      xRows: 12,
      yRows: 13,
      seed: 4,
    },
  ];
  for (const c of CASES) {
    test(c.name, async ({ page }) => {
      await openHarness(page);
      const rand = rng(2000 + c.seed);
      const freqs = ropeFrequencies({ ...LITE, qkRope: c.nRot });
      const cs = Array.from(ropeTable(freqs, c.pos0, c.T));
      const x = f32(c.xRows * c.x.row, rand);
      const y = f32(c.yRows * c.y.row, rand);
      const got = await page.evaluate((a) => window.kernelHarness.rope(a), { shape: c, x, cs, y });
      expectClose(got, ropeRef(x, cs, y, c), ELEMENTWISE, 'Y');
    });
  }
});

// ---------------------------------------------------------------------------------------------------

test.describe('mla_attention kernels', () => {
  const REAL_SCALE = attentionScale(LITE);
  // [name, R, n_rot, H, T, pos0, scale, also with an f16 cache]; steps of one token also run the decode form
  const CASES: [
    name: string,
    R: number,
    nRot: number,
    H: number,
    T: number,
    pos0: number,
    scale: number,
    f16?: boolean,
  ][] = [
    ['a context of exactly 1 (T=1, pos0=0)', 64, 16, 2, 1, 0, 0.5],
    ['contexts 151..155 (three chunks of 64), 3 heads', 64, 16, 3, 5, 150, 0.3, true],
    ['R=100 (not a multiple of 64), T=10, contexts 61..70', 100, 16, 2, 10, 60, 0.4],
    ['contexts 63, 64, 65 (chunk edges), large scores (scale 20)', 64, 16, 2, 3, 62, 20],
    ['the model: R=512, n_rot 64, model scale, contexts 4 and 5', 512, 64, 2, 2, 3, REAL_SCALE],
    ['the model: R=512, n_rot 64, model scale, a context of 150', 512, 64, 1, 1, 149, REAL_SCALE, true],
    ['R=500, n_rot 64 (564 of 576 shared floats), context 70', 500, 64, 1, 1, 69, REAL_SCALE],
    ['T=37 from position 0 (query tiles of 64, cache tiles of 32: neither divides it)', 64, 16, 2, 37, 0, 0.4],
  ];
  for (const [name, R, nRot, H, T, pos0, scale, f16] of CASES) {
    for (const kv of f16 ? (['F32', 'F16'] as const) : (['F32'] as const)) {
      for (const decode of T === 1 ? [false, true] : [false]) {
        test(`${name}${decode ? ', decode form' : ''}${kv === 'F16' ? ', f16 cache' : ''}`, async ({ page }) => {
          await openHarness(page);
          const rand = rng(R * 17 + H * 5 + T * 3 + pos0);
          const row = R + nRot;
          const qAbs = f32(T * H * R, rand);
          const qPe = f32(T * H * nRot, rand);
          // rows past the last token's position must never be read: NaN there would show
          const cache = [...f32((pos0 + T) * row, rand), ...fill(3 * row, NaN)];
          const got = await page.evaluate((a) => window.kernelHarness.attention(a), {
            qAbs,
            qPe,
            cache,
            R,
            nRot,
            H,
            scale,
            T,
            pos0,
            kv,
            decode,
          });
          if (kv === 'F32') expect(got.held).toEqual(cache.map(Math.fround));
          expectClose(got.out, attentionRef(qAbs, qPe, got.held, { R, nRot, H, scale, T, pos0 }), SUMS, 'o_lat');
        });
      }
    }
  }

  // Long contexts, drawn in the page (attentionSeeded), at lengths that are no multiple of any tile
  // (64 queries, 32 positions) or split (256 positions, chunks of 64): prefill batches that start deep
  // into the cache, and decode steps with the device's own splits and with many (parallelism 4096).
  const LONG: [
    name: string,
    T: number,
    pos0: number,
    decode: boolean,
    kv: 'F32' | 'F16',
    parallelism?: number,
    real?: boolean,
  ][] = [
    ['prefill of 301 tokens from position 0', 301, 0, false, 'F32'],
    ['prefill of 45 tokens at positions 2,990..3,034', 45, 2990, false, 'F32'],
    ['prefill of 45 tokens at positions 2,990..3,034, f16 cache', 45, 2990, false, 'F16'],
    ["decode at a context of 2, the device's splits", 1, 1, true, 'F32'],
    ['decode at a context of 600 (two splits of 320 and 280)', 1, 599, true, 'F32', 4096],
    ['decode at a context of 1,000, many splits', 1, 999, true, 'F32', 4096],
    ["decode at a context of 4,201, the device's splits", 1, 4200, true, 'F32'],
    ['decode at a context of 4,201, many splits', 1, 4200, true, 'F32', 4096],
    ['decode at a context of 5,003, many splits, f16 cache', 1, 5002, true, 'F16', 4096],
    [
      "the model's latent (512 + 64): prefill of 21 tokens at positions 1,500..1,520, f16 cache",
      21,
      1500,
      false,
      'F16',
      undefined,
      true,
    ],
    [
      "the model's latent (512 + 64): decode at a context of 3,001, many splits, f16 cache",
      1,
      3000,
      true,
      'F16',
      4096,
      true,
    ],
  ];
  for (const [name, T, pos0, decode, kv, parallelism, real] of LONG) {
    test(name, async ({ page }) => {
      await openHarness(page);
      const [R, nRot, scale] = real ? [512, 64, REAL_SCALE] : [64, 16, 0.4];
      const r = await page.evaluate((a) => window.kernelHarness.attentionSeeded(a), {
        seed: T * 7 + pos0,
        R,
        nRot,
        H: 2,
        scale,
        T,
        pos0,
        kv,
        decode,
        ...(parallelism ? { variant: { parallelism } } : {}),
      });
      expect(r.checked).toBe(T * 2 * R);
      expect(r.worstOverAllowed, `worst error over its allowance, ${r.splits} splits`).toBeLessThanOrEqual(1);
      if (parallelism) expect(r.splits).toBeGreaterThan(1);
    });
  }
});

// ---------------------------------------------------------------------------------------------------

test.describe('silu_mul kernel', () => {
  const CASES: [n: number, rowsPerToken: number, maxTokens: number, T: number][] = [
    [100, 6, 4, 3], // 1800 values: not a multiple of 256
    [10944, 1, 2, 1], // the dense FFN, one token
    [37, 1, 16, 9],
  ];
  for (const [n, rows, maxTokens, T] of CASES) {
    test(`n=${n} rows/token=${rows} T=${T} of ${maxTokens}`, async ({ page }) => {
      await openHarness(page);
      const rand = rng(n + rows * 100 + T);
      const size = maxTokens * rows * n;
      const g = f32(size, rand, 4);
      // saturated and zero gates: exp must neither overflow into NaN nor lose the sign
      [0, -0, 30, -30, 100, -100, 1e-30].forEach((v, i) => {
        g[i * 7] = v;
      });
      const u = f32(size, rand);
      const a = fill(size, UNTOUCHED);
      const got = await page.evaluate((x) => window.kernelHarness.siluMul(x), {
        g,
        u,
        a,
        n,
        rowsPerToken: rows,
        maxTokens,
        T,
        pos0: 0,
      });
      expectClose(got, siluMulRef(g, u, a, T * rows * n), ELEMENTWISE, 'A');
    });
  }

  test('a 2-D grid: 500 tokens x 6 experts x 1408 (16500 workgroups)', async ({ page }) => {
    await openHarness(page);
    const r = await page.evaluate(() =>
      window.kernelHarness.siluMulSeeded({ seed: 5, n: 1408, rowsPerToken: 6, maxTokens: 512, T: 500, pos0: 0 }),
    );
    expect(r.groups).toEqual([16384, 2, 1]);
    expect(r.worst).toBeLessThanOrEqual(1e-6);
    expect(r.changedPastEnd).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------

test.describe('moe_route kernel', () => {
  type Logits = 'normal' | 'ties';
  const CASES: [
    name: string,
    E: number,
    k: number,
    sigmoid: boolean,
    norm: boolean,
    scale: number,
    T: number,
    logits: Logits,
  ][] = [
    ['the model: 64 experts, top 6, softmax, T=1', 64, 6, false, false, 1, 1, 'normal'],
    ['softmax with many tied logits, T=12', 64, 6, false, false, 1, 12, 'ties'],
    ['sigmoid, normalised, scale 2.5, 100 experts, T=3', 100, 4, true, true, 2.5, 3, 'normal'],
    ['sigmoid with many tied logits, T=4', 64, 6, true, false, 1, 4, 'ties'],
    ['sigmoid, normalised, 256 experts (the most), top 8, T=2', 256, 8, true, true, 1, 2, 'normal'],
    ['softmax, normalised, k = E = 5, scale 16', 5, 5, false, true, 16, 1, 'ties'],
    ['softmax, top 16 (the most) of 37, T=9', 37, 16, false, false, 1, 9, 'ties'],
  ];
  for (const [name, E, k, sigmoid, norm, scale, T, kind] of CASES) {
    test(name, async ({ page }) => {
      await openHarness(page);
      const rand = rng(E * 31 + k * 7 + T);
      // 'ties': multiples of 1/4 in [-3, 3], so equal logits abound and unequal ones are far apart
      const logits =
        kind === 'ties' ? Array.from({ length: T * E }, () => (randInt(rand, 25) - 12) / 4) : f32(T * E, rand, 3);
      const got = await page.evaluate((a) => window.kernelHarness.route(a), {
        logits,
        E,
        k,
        sigmoid,
        norm,
        scale,
        T,
        pos0: 0,
      });
      const want = routeRef(logits, { E, k, sigmoid, norm, scale, T });
      expect(got.ids).toEqual(want.ids);
      const mag = Float64Array.from(want.wts, Math.abs);
      expectClose(got.wts, { want: want.wts, mag, touched: new Uint8Array(T * k).fill(1) }, ELEMENTWISE, 'weights');
    });
  }
});

// ---------------------------------------------------------------------------------------------------

test.describe('moe_matmul kernel', () => {
  const E = 8;
  const ABSENT = new Set([2, 5]); // not on the GPU now: their pairs are left for a later wave
  const CASES: [type: string, K: number, N: number, T: number, k: number, xPerPair: boolean][] = [
    ['F32', 96, 37, 1, 6, false],
    ['Q4_0', 64, 70, 3, 2, false], // K = 64: one invocation a row, 64 rows a workgroup, the second partly empty
    ['Q8_0', 160, 41, 9, 3, true],
    ['Q4_K', 512, 23, 2, 6, false],
    ['Q4_K', 2048, 5, 1, 6, false], // the model's gate/up K
    ['Q6_K', 256, 13, 1, 6, true],
    ['Q5_0', 1408, 9, 2, 6, true], // the model's down K
    ['F16', 160, 11, 2, 3, false],
    ['Q4_1', 96, 17, 1, 6, true],
  ];
  for (const [type, K, N, T, k, xPerPair] of CASES)
    for (const [variantName, variant] of variantsFor(type)) {
      test(`${type} K=${K} N=${N} T=${T} k=${k}${xPerPair ? ' (x per pair)' : ''}, experts 2 and 5 absent${variantName}`, async ({
        page,
      }) => {
        await openHarness(page);
        const rand = rng(K * 13 + N * 3 + T * 101 + k);
        const t = ggmlTypeByName(type);
        const rowWords = storedRowBytes(t, K) / 4;
        // a record: some other part first (so partWords > 0), the part under test, some other part after
        const before = 3 * rowWords + 5,
          after = 7;
        const recordWords = before + N * rowWords + after;
        const slotWords = recordWords + 4;
        // present experts in shuffled slots; the pool has one spare slot of garbage
        const present = [...Array(E).keys()].filter((e) => !ABSENT.has(e));
        const order = present
          .map((e) => [rand(), e] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, e]) => e);
        const table = fill(E, NOT_ON_GPU);
        const pool = new Uint8Array((present.length + 1) * slotWords * 4);
        for (let i = 0; i < pool.length; i++) pool[i] = randInt(rand, 256);
        order.forEach((e, slot) => {
          table[e] = (slot + 1) * slotWords;
          const part = transcodeRows(t, K, randomTensorBytes(t, K, N, rand), N);
          pool.set(part, (table[e] + before) * 4);
        });
        // every token routes to k experts; pairs 0 and 1 hit an absent and a present one
        const ids = Array.from({ length: T * k }, (_, p) => (p === 0 ? 5 : p === 1 ? order[0]! : randInt(rand, E)));
        const x = f32((xPerPair ? T * k : T) * K, rand);
        const y = fill((T * k + 1) * N, UNTOUCHED);
        const shape = { K, N, rowWords, partWords: before, xStride: K, xPerPair, k };
        const got = await page.evaluate((a) => window.kernelHarness.moeMatmul(a), {
          type,
          pool: Array.from(pool),
          table,
          ids,
          x,
          y,
          T,
          pos0: 0,
          ...shape,
          ...(variant ? { variant } : {}),
        });
        const ref = moeMatmulRef(pool, table, ids, x, y, { type: t, T, ...shape });
        expect(
          ref.touched.some((v) => v === 0),
          'some pairs are skipped',
        ).toBe(true);
        expectClose(got, ref, SUMS, 'Y');
      });
    }
});

test.describe('moe_matmul kernel, fused gate-up-silu form', () => {
  const E = 6;
  const CASES: [type: string, K: number, N: number, T: number, k: number][] = [
    ['Q4_K', 2048, 7, 1, 6], // the model's gate/up shape, one token
    ['Q4_0', 64, 70, 3, 2],
    ['Q8_0', 160, 41, 2, 3],
    ['F32', 96, 13, 1, 4],
  ];
  for (const [type, K, N, T, k] of CASES)
    for (const [variantName, variant] of variantsFor(type)) {
      test(`${type} K=${K} N=${N} T=${T} k=${k}, expert 2 absent${variantName}`, async ({ page }) => {
        await openHarness(page);
        const rand = rng(K * 7 + N * 5 + T * 11 + k);
        const t = ggmlTypeByName(type);
        const rowWords = storedRowBytes(t, K) / 4;
        // a record: gate rows, a gap, up rows, then more (the real layout: gate, up, down)
        const gate = 2,
          up = gate + N * rowWords + 3,
          recordWords = up + N * rowWords + 5;
        const table = fill(E, NOT_ON_GPU);
        const pool = new Uint8Array(E * recordWords * 4);
        for (let i = 0; i < pool.length; i++) pool[i] = randInt(rand, 256);
        // weights small enough that gate · x stays where silu is not below f32's range (|g| of tens)
        const scale = Math.min(0.05, (0.05 * 64) / K);
        for (let e = 0; e < E; e++) {
          if (e === 2) continue;
          table[e] = e * recordWords;
          pool.set(transcodeRows(t, K, randomTensorBytes(t, K, N, rand, scale), N), (table[e]! + gate) * 4);
          pool.set(transcodeRows(t, K, randomTensorBytes(t, K, N, rand, scale), N), (table[e]! + up) * 4);
        }
        const ids = Array.from({ length: T * k }, (_, p) => (p === 0 ? 2 : randInt(rand, E)));
        const x = f32(T * K, rand);
        const y = fill((T * k + 1) * N, UNTOUCHED);
        const shape = { K, N, rowWords, partWords: gate, xStride: K, xPerPair: false, k };
        const got = await page.evaluate((a) => window.kernelHarness.moeMatmul(a), {
          type,
          pool: Array.from(pool),
          table,
          ids,
          x,
          y,
          T,
          pos0: 0,
          ...shape,
          upWords: up,
          ...(variant ? { variant } : {}),
        });
        const ref = moeGluRef(pool, table, ids, x, y, { type: t, T, ...shape }, up);
        expect(
          ref.touched.some((v) => v === 0),
          "the absent expert's pair is skipped",
        ).toBe(true);
        expectClose(got, ref, SUMS, 'Y');
      });
    }
});

// ---------------------------------------------------------------------------------------------------

test.describe('moe_combine kernel', () => {
  const CASES: [D: number, k: number, T: number][] = [
    [100, 6, 1],
    [2048, 6, 9],
    [37, 2, 3],
  ];
  for (const [D, k, T] of CASES) {
    test(`D=${D} k=${k} T=${T}`, async ({ page }) => {
      await openHarness(page);
      const rand = rng(D + k * 10 + T * 1000);
      const yp = f32(T * k * D, rand);
      const wts = f32(T * k, rand).map((v) => Math.fround(Math.abs(v)));
      const x = f32((T + 1) * D, rand); // the row past the step must stay as it was
      const got = await page.evaluate((a) => window.kernelHarness.combine(a), { yp, wts, x, D, k, T, pos0: 0 });
      expectClose(got, combineRef(yp, wts, x, { D, k, T }), SUMS, 'X');
    });
  }
});
