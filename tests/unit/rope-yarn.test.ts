/**
 * The host side of YaRN rope (workers/runtime/rope-yarn.ts) against the formulas it documents, written
 * out again here, and against the real DeepSeek-Coder-V2-Lite hyperparameters.
 */
import { describe, expect, it } from 'vitest';
import type { DeepSeek2Hparams } from '../../workers/gguf/deepseek2';
import { attentionScale, correctionDims, ropeFrequencies, ropeTable } from '../../workers/runtime/rope-yarn';
import { DEEPSEEK_CODER_V2_LITE } from '../support/kernel-reference';

const REAL: DeepSeek2Hparams = DEEPSEEK_CODER_V2_LITE;

const withRope = (nRot: number, rope: Partial<DeepSeek2Hparams['rope']>): DeepSeek2Hparams => ({
  ...REAL,
  qkRope: nRot,
  rope: { ...REAL.rope, ...rope },
});

/** The dimension (in pairs) at which a wavelength makes `beta` turns over the original context. */
function corrDim(nRot: number, base: number, ctx: number, beta: number): number {
  return (nRot * Math.log(ctx / (beta * 2 * Math.PI))) / (2 * Math.log(base));
}

/** YaRN as in ggml's rope: ramp 1 below lo (extrapolate), 0 above hi (interpolate by 1/factor). */
function yarnFrequency(i: number, nRot: number, base: number, factor: number, lo: number, hi: number): number {
  const extrapolated = Math.pow(base, (-2 * i) / nRot);
  const interpolated = extrapolated / factor;
  const y = (i - lo) / Math.max(0.001, hi - lo);
  const ramp = 1 - Math.min(1, Math.max(0, y));
  return interpolated * (1 - ramp) + extrapolated * ramp;
}

describe('correctionDims', () => {
  it('is [floor(dim(beta_fast)), ceil(dim(beta_slow))] clamped to 0..n_rot-1', () => {
    expect(correctionDims(16, 10000, 4096, 32, 1)).toEqual([2, 6]);
    expect(correctionDims(64, 10000, 4096, 32, 1)).toEqual([10, 23]);
    for (const [n, base, ctx] of [
      [16, 10000, 4096],
      [64, 10000, 4096],
      [128, 500000, 8192],
      [32, 10000, 2048],
    ] as const) {
      const lo = Math.max(0, Math.floor(corrDim(n, base, ctx, 32)));
      const hi = Math.min(n - 1, Math.ceil(corrDim(n, base, ctx, 1)));
      expect(correctionDims(n, base, ctx, 32, 1)).toEqual([lo, hi]);
    }
  });

  it('clamps to the rotated dimensions', () => {
    // a tiny original context puts dim(beta_fast) below 0; a huge one puts dim(beta_slow) past n_rot - 1
    expect(correctionDims(64, 10000, 16, 32, 1)[0]).toBe(0);
    expect(correctionDims(8, 2, 1 << 30, 32, 1)[1]).toBe(7);
  });
});

describe('ropeFrequencies', () => {
  it('matches the YaRN blend for the real model (n_rot 64, factor 40)', () => {
    const f = ropeFrequencies(REAL);
    expect(f.length).toBe(32);
    for (let i = 0; i < 32; i++) expect(f[i]).toBeCloseTo(yarnFrequency(i, 64, 10000, 40, 10, 23), 15);
    // below the ramp: plain rope; past it: divided by the factor
    for (let i = 0; i <= 10; i++) expect(f[i]! / 10000 ** (-i / 32)).toBeCloseTo(1, 14);
    for (let i = 23; i < 32; i++) expect(f[i]! / 10000 ** (-i / 32)).toBeCloseTo(1 / 40, 14);
    expect(f[0]).toBe(1);
  });

  it('matches the blend for n_rot 16 (ramp over pairs 2..6)', () => {
    const f = ropeFrequencies(withRope(16, {}));
    for (let i = 0; i < 8; i++) expect(f[i]).toBeCloseTo(yarnFrequency(i, 16, 10000, 40, 2, 6), 15);
    expect(f[4]! / 10000 ** (-4 / 8)).toBeCloseTo(0.5 + 0.5 / 40, 14); // halfway up the ramp
  });

  it('is plain rope without YaRN, or with factor 1', () => {
    for (const hp of [withRope(64, { scalingType: 'none' }), withRope(64, { factor: 1 })]) {
      const f = ropeFrequencies(hp);
      for (let i = 0; i < 32; i++) expect(f[i]).toBeCloseTo(10000 ** (-i / 32), 15);
    }
  });
});

describe('ropeTable', () => {
  it('holds cos and sin of (pos0 + t) * freq, computed in f64, for every token and pair', () => {
    const f = ropeFrequencies(REAL);
    for (const pos0 of [0, 7, 150, 163_000]) {
      const T = 5;
      const cs = ropeTable(f, pos0, T);
      expect(cs.length).toBe(T * 32 * 2);
      for (let t = 0; t < T; t++)
        for (let i = 0; i < 32; i++) {
          const theta = (pos0 + t) * f[i]!;
          expect(cs[(t * 32 + i) * 2]).toBe(Math.fround(Math.cos(theta)));
          expect(cs[(t * 32 + i) * 2 + 1]).toBe(Math.fround(Math.sin(theta)));
        }
    }
  });

  it('is the identity rotation at position 0', () => {
    const cs = ropeTable(ropeFrequencies(REAL), 0, 1);
    for (let i = 0; i < 32; i++) expect([cs[2 * i], cs[2 * i + 1]]).toEqual([1, 0]);
  });
});

describe('attentionScale', () => {
  it('is mscale^2 / sqrt(192) = 0.114721 for the real model', () => {
    const s = attentionScale(REAL);
    expect(Math.abs(s - 0.114721)).toBeLessThanOrEqual(1e-6);
    const mscale = 1 + 0.1 * 0.707 * Math.log(40);
    expect(s).toBeCloseTo((mscale * mscale) / Math.sqrt(128 + 64), 12);
  });

  it('is 1/sqrt(qk_nope + qk_rope) without YaRN', () => {
    expect(attentionScale(withRope(64, { scalingType: 'none' }))).toBeCloseTo(1 / Math.sqrt(192), 15);
    expect(attentionScale(withRope(64, { factor: 1 }))).toBeCloseTo(1 / Math.sqrt(192), 15);
  });
});
