/** The CPU sampling reference's semantics, which the GPU sampler is tested against bit for bit. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SAMPLING,
  MAX_CANDIDATES,
  resolveSamplingParams,
  samplingPlan,
  validateSamplingParams,
  type SamplingParams,
} from '../../workers/runtime/sampling-params';
import {
  drawUniform,
  expNeg,
  historyWindow,
  keyToFloat,
  pcgHash,
  sampleReference,
  sortKey,
} from '../../workers/runtime/sampling-reference';
import { rng } from '../support/random-tensors';

const params = (p: Partial<SamplingParams> = {}): SamplingParams => ({ ...DEFAULT_SAMPLING, seed: 1, ...p });
const sample = (logits: number[], p: Partial<SamplingParams>, step = 0, history: number[] = []) =>
  sampleReference(new Float32Array(logits), params(p), history, step);

/** How often each id is drawn over `n` steps. */
function frequencies(logits: number[], p: Partial<SamplingParams>, n: number, history: number[] = []): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  for (let s = 0; s < n; s++) counts[sample(logits, p, s, history).id]!++;
  return counts.map((c) => c / n);
}

/** Within 4 standard deviations of a binomial proportion. */
function expectProportion(got: number, p: number, n: number) {
  expect(Math.abs(got - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
}

describe('greedy (temperature 0)', () => {
  it('is the argmax, lowest index on ties', () => {
    expect(sample([1, 3, 2], { temperature: 0 }).id).toBe(1);
    expect(sample([1, 3, 3, 2], { temperature: 0 }).id).toBe(1);
    expect(sample([5, 5, 5], { temperature: 0 }).id).toBe(0);
    expect(sample([-2, -1, -1], { temperature: 0 }).id).toBe(1);
  });

  it('takes -0 and +0 as equal and NaN as -inf', () => {
    expect(sample([-0, 0], { temperature: 0 }).id).toBe(0);
    expect(sample([0, -0], { temperature: 0 }).id).toBe(0);
    expect(sample([NaN, -5], { temperature: 0 }).id).toBe(1);
    expect(sample([-Infinity, NaN, -Infinity], { temperature: 0 }).id).toBe(0);
  });

  it('ignores the seed, the step, top_k and top_p', () => {
    const logits = Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7) * 4);
    const want = logits.indexOf(Math.max(...logits));
    for (let s = 0; s < 20; s++)
      expect(sample(logits, { temperature: 0, seed: s, top_k: 7, top_p: 0.3 }, s * 11).id).toBe(want);
  });

  it('picks the argmax on random logits', () => {
    const rand = rng(3);
    for (let t = 0; t < 20; t++) {
      const logits = Array.from({ length: 1000 }, () => Math.fround(rand() * 20 - 10));
      expect(sample(logits, { temperature: 0 }).id).toBe(logits.indexOf(Math.max(...logits)));
    }
  });
});

describe('top 5 raw logits', () => {
  it('are the highest raw logits, highest first, lowest id among equals, before penalty and temperature', () => {
    const logits = [0.5, 3, -1, 3, 2, 0.5, 7, 0.5];
    const r = sample(logits, { temperature: 2, repetition_penalty: 5 }, 0, [6, 1]);
    expect(r.top).toEqual([
      [6, 7],
      [1, 3],
      [3, 3],
      [4, 2],
      [0, 0.5],
    ]);
  });

  it('are fewer than 5 in a smaller vocabulary', () => {
    expect(sample([1, 2], { temperature: 0 }).top).toEqual([
      [1, 2],
      [0, 1],
    ]);
  });
});

describe('temperature', () => {
  it('samples in proportion to exp(logit / T)', () => {
    const logits = [0, Math.log(2), Math.log(5)];
    const n = 6000;
    for (const T of [1, 2, 0.5]) {
      const w = logits.map((l) => Math.exp(l / T));
      const total = w.reduce((a, b) => a + b);
      const f = frequencies(logits, { temperature: T }, n);
      w.forEach((wi, i) => expectProportion(f[i]!, wi / total, n));
    }
  });

  it('near 0 always picks the argmax; high spreads the draw', () => {
    const logits = [1, 1.5, 1.2, 0.3];
    expect(frequencies(logits, { temperature: 0.01 }, 300)[1]).toBe(1);
    const hot = frequencies(logits, { temperature: 100 }, 2000);
    hot.forEach((f) => expectProportion(f, 0.25, 2000));
  });

  it('treats a temperature whose inverse overflows f32 as greedy', () => {
    expect(samplingPlan(params({ temperature: 1e-39 }), 10).greedy).toBe(true);
    expect(samplingPlan(params({ temperature: 1e-30 }), 10).greedy).toBe(false);
  });
});

describe('top_k and maxCandidates', () => {
  it('draws only from the k most likely, each of them', () => {
    const logits = [0.1, 0.5, 0.4, 0.45, 0.2, 0.3];
    const f = frequencies(logits, { temperature: 1, top_k: 3 }, 1000);
    expect(f[0]! + f[4]! + f[5]!).toBe(0);
    for (const i of [1, 2, 3]) expect(f[i]).toBeGreaterThan(0.2);
    expect(sample(logits, { temperature: 1, top_k: 3 }).candidates).toBe(3);
  });

  it('breaks ties at the k-th place by lower id', () => {
    const f = frequencies([1, 2, 1, 1, 2], { temperature: 1, top_k: 3 }, 1000);
    expect(f[2]! + f[3]!).toBe(0);
    expect(f[0]).toBeGreaterThan(0.05);
  });

  it('top_k 1 is the argmax', () => {
    for (let s = 0; s < 50; s++)
      expect(sample([0.3, 0.2, 0.31, 0.1], { temperature: 3, top_k: 1, seed: s }, s).id).toBe(2);
  });

  it('is capped by maxCandidates and the vocabulary; top_k 0 means maxCandidates', () => {
    const logits = Array.from({ length: 2000 }, (_, i) => (i % 97) / 10);
    expect(sample(logits, { temperature: 1, top_k: 500, maxCandidates: 64 }).candidates).toBe(64);
    expect(sample(logits, { temperature: 1, top_k: 0, maxCandidates: 300 }).candidates).toBe(300);
    expect(sample(logits, { temperature: 1, top_k: 10, maxCandidates: 300 }).candidates).toBe(10);
    expect(sample([1, 2, 3], { temperature: 1, top_k: 0 }).candidates).toBe(3);
  });
});

describe('top_p', () => {
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];

  it('keeps the smallest most likely set whose probability reaches top_p', () => {
    expect(sample(logits, { temperature: 1, top_p: 0.4 }).kept).toBe(1);
    expect(sample(logits, { temperature: 1, top_p: 0.5 }).kept).toBe(1);
    expect(sample(logits, { temperature: 1, top_p: 0.51 }).kept).toBe(2);
    expect(sample(logits, { temperature: 1, top_p: 0.9 }).kept).toBe(3);
    expect(sample(logits, { temperature: 1, top_p: 0.96 }).kept).toBe(4);
    expect(sample(logits, { temperature: 1, top_p: 1 }).kept).toBe(4);
  });

  it('renormalizes within the kept set', () => {
    const n = 5000;
    const f = frequencies(logits, { temperature: 1, top_p: 0.9 }, n);
    expect(f[3]).toBe(0);
    expectProportion(f[0]!, 0.5 / 0.95, n);
    expectProportion(f[1]!, 0.3 / 0.95, n);
  });

  it('applies after top_k, within its candidates', () => {
    // top_k 2 leaves 0.5 and 0.3, i.e. 0.625 and 0.375: top_p 0.6 keeps one
    expect(sample(logits, { temperature: 1, top_k: 2, top_p: 0.6 }).kept).toBe(1);
    expect(sample(logits, { temperature: 1, top_k: 2, top_p: 0.7 }).kept).toBe(2);
  });
});

describe('repetition penalty', () => {
  it('divides positive logits and multiplies negative ones, of the history tokens only', () => {
    // 2 / 1.5 = 1.33 < 1.5: id 0 loses its lead
    expect(sample([2, 1.5, 1], { temperature: 0, repetition_penalty: 1.5 }, 0, [0]).id).toBe(1);
    expect(sample([2, 1.5, 1], { temperature: 0, repetition_penalty: 1.5 }, 0, [2]).id).toBe(0);
    // -1 * 2 = -2 < -1.5
    expect(sample([-1, -1.5, -3], { temperature: 0, repetition_penalty: 2 }, 0, [0]).id).toBe(1);
    // a penalty below 1 boosts: 1.5 / 0.5 = 3 > 2
    expect(sample([2, 1.5, 1], { temperature: 0, repetition_penalty: 0.5 }, 0, [1]).id).toBe(1);
  });

  it('counts each distinct token once, however often it repeats', () => {
    // 2 / 1.5 = 1.333 > 1.3, where 2 / 1.5^2 would be 0.89
    expect(sample([2, 1.3], { temperature: 0, repetition_penalty: 1.5 }, 0, [0, 0, 0]).id).toBe(0);
  });

  it('shifts the sampled distribution', () => {
    const logits = [0, 0];
    const n = 4000;
    const f = frequencies(logits, { temperature: 1, repetition_penalty: 2 }, n, [0]);
    expectProportion(f[0]!, 0.5, n); // 0 stays 0
    const g = frequencies([1, 1], { temperature: 1, repetition_penalty: 2 }, n, [0]);
    expectProportion(g[0]!, Math.exp(0.5) / (Math.exp(0.5) + Math.exp(1)), n);
  });

  it('looks at the last maxHistory tokens', () => {
    expect(historyWindow([1, 2, 3, 4], 2)).toEqual([3, 4]);
    expect(historyWindow([1, 2, 3, 4], 10)).toEqual([1, 2, 3, 4]);
    expect(historyWindow([1, 2, 3, 4], 0)).toEqual([]);
  });
});

describe('seeded determinism', () => {
  const logits = Array.from({ length: 500 }, (_, i) => Math.cos(i * 0.37) * 2);
  const p = { temperature: 1.2, top_p: 0.95 };

  it('same seed and step give the same token; steps and seeds vary it', () => {
    const run = (seed: number) => Array.from({ length: 40 }, (_, s) => sample(logits, { ...p, seed }, s).id);
    expect(run(7)).toEqual(run(7));
    expect(new Set(run(7)).size).toBeGreaterThan(10);
    expect(run(8)).not.toEqual(run(7));
  });

  it('reduces the seed modulo 2^32', () => {
    expect(sample(logits, { ...p, seed: -1 }, 3).id).toBe(sample(logits, { ...p, seed: 2 ** 32 - 1 }, 3).id);
    expect(sample(logits, { ...p, seed: 2 ** 32 + 5 }, 3).id).toBe(sample(logits, { ...p, seed: 5 }, 3).id);
  });

  it('PCG hash matches a BigInt implementation of pcg_hash', () => {
    const M = (1n << 32n) - 1n;
    const pcgBig = (v: bigint) => {
      const state = (v * 747796405n + 2891336453n) & M;
      const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & M;
      return Number((word >> 22n) ^ word);
    };
    const rand = rng(11);
    for (let t = 0; t < 1000; t++) {
      const v = Math.floor(rand() * 2 ** 32);
      expect(pcgHash(v)).toBe(pcgBig(BigInt(v)));
    }
    expect(pcgHash(0)).toBe(pcgBig(0n));
    expect(pcgHash(0xffffffff)).toBe(pcgBig(0xffffffffn));
  });

  it('draws are uniform on [0, 1) with 24 bits', () => {
    const n = 20000;
    const bins = new Array<number>(10).fill(0);
    for (let s = 0; s < n; s++) {
      const u = drawUniform(12345, s);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(Number.isInteger(u * 2 ** 24)).toBe(true);
      bins[Math.floor(u * 10)]!++;
    }
    bins.forEach((b) => expectProportion(b / n, 0.1, n));
  });
});

describe('f32 building blocks', () => {
  it('expNeg is exp to about an ulp on [-86, 0], and 0 below', () => {
    let worst = 0;
    for (let x = -86; x <= 0; x += 0.0137) {
      const xf = Math.fround(x);
      worst = Math.max(worst, Math.abs(expNeg(xf) / Math.exp(xf) - 1));
    }
    expect(worst).toBeLessThan(4e-7);
    expect(expNeg(0)).toBe(1);
    expect(expNeg(-87)).toBe(0);
    expect(expNeg(-Infinity)).toBe(0);
    expect(expNeg(NaN)).toBe(0);
  });

  it('sort keys order like the floats they encode and decode back', () => {
    const rand = rng(5);
    const xs = [
      -Infinity,
      -3e38,
      -1,
      -1e-30,
      0,
      1e-30,
      1,
      3e38,
      Infinity,
      ...Array.from({ length: 200 }, () => (rand() - 0.5) * 100),
    ].map(Math.fround);
    for (const a of xs) {
      expect(keyToFloat(sortKey(a))).toBe(a === 0 ? 0 : a);
      for (const b of xs) expect(Math.sign(sortKey(a) - sortKey(b))).toBe(Number(a > b) - Number(a < b));
    }
    expect(sortKey(-0)).toBe(sortKey(0));
    expect(sortKey(NaN)).toBe(sortKey(-Infinity));
  });
});

describe('parameter validation', () => {
  const bad: [Partial<SamplingParams>, string][] = [
    [{ temperature: -0.1 }, 'temperature'],
    [{ temperature: NaN }, 'temperature'],
    [{ temperature: Infinity }, 'temperature'],
    [{ top_p: 0 }, 'top_p'],
    [{ top_p: 1.01 }, 'top_p'],
    [{ top_p: -0.5 }, 'top_p'],
    [{ top_k: -1 }, 'top_k'],
    [{ top_k: 1.5 }, 'top_k'],
    [{ repetition_penalty: 0 }, 'repetition_penalty'],
    [{ repetition_penalty: -1 }, 'repetition_penalty'],
    [{ repetition_penalty: Infinity }, 'repetition_penalty'],
    [{ seed: 0.5 }, 'seed'],
    [{ seed: NaN }, 'seed'],
    [{ maxCandidates: 0 }, 'maxCandidates'],
    [{ maxCandidates: MAX_CANDIDATES + 1 }, 'maxCandidates'],
  ];
  for (const [p, name] of bad) {
    it(`rejects ${JSON.stringify(p)} naming ${name}`, () => {
      expect(() => validateSamplingParams(params(p))).toThrow(new RegExp(`^${name} must be`));
      expect(() => resolveSamplingParams(p)).toThrow(name);
      expect(() => sample([1, 2], p)).toThrow(name);
    });
  }

  it('rejects a value of the wrong type', () => {
    expect(() => validateSamplingParams({ ...params(), temperature: '1' as unknown as number })).toThrow('temperature');
  });

  it('accepts the boundaries', () => {
    for (const p of [
      { temperature: 0 },
      { top_p: 1 },
      { top_p: 1e-6 },
      { top_k: 0 },
      { maxCandidates: 1 },
      { maxCandidates: MAX_CANDIDATES },
      { seed: -3 },
    ]) {
      expect(() => validateSamplingParams(params(p))).not.toThrow();
    }
  });

  it('fills in defaults, with a fresh seed when none is given', () => {
    const a = resolveSamplingParams({ temperature: 0.5, top_k: undefined });
    expect(a).toMatchObject({ ...DEFAULT_SAMPLING, temperature: 0.5 });
    expect(Number.isInteger(a.seed)).toBe(true);
    const seeds = new Set(Array.from({ length: 8 }, () => resolveSamplingParams().seed));
    expect(seeds.size).toBeGreaterThan(1);
    expect(resolveSamplingParams({ seed: 9 }).seed).toBe(9);
  });
});
