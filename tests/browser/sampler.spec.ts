/**
 * The GPU sampler (workers/runtime/sampler.ts) against its CPU reference on random logits: the same
 * token for the same seed and step, the same top 5, and one read-back per step.
 */
import type { Page } from '@playwright/test';
import {
  historyWindow,
  logprobsReference,
  sampleReference,
  stepValues,
} from '../../workers/runtime/sampling-reference';
import { DEFAULT_SAMPLING, type SamplingParams } from '../../workers/runtime/sampling-params';
import type { SampleResult } from '../../workers/runtime/sampler';
import type { Step } from '../harness/sampler-harness';
import { rng } from '../support/random-tensors';
import { expect, test } from './support/fixtures';

const REAL_VOCAB = 102400;

async function openHarness(page: Page) {
  await page.goto('/tests/harness/sampler.html');
  await expect(page.locator('body[data-ready="1"]')).toBeAttached();
}

type Shape = 'normal' | 'ties' | 'masked';

/**
 * normal: N(0, 3²), a realistic spread; ties: a few distinct values, so equal logits straddle the
 * top-k and top-5 boundaries; masked: normal with -inf, NaN, -0 and a sharp peak mixed in.
 */
function randomLogits(V: number, shape: Shape, seed: number): number[] {
  const rand = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: V }, (_, i) => {
    if (shape === 'ties') return Math.fround(Math.round(normal() * 2) / 4);
    const x = Math.fround(normal() * 3);
    if (shape === 'masked') {
      const r = rand();
      if (r < 0.05) return -Infinity;
      if (r < 0.06) return NaN;
      if (r < 0.07) return -0;
      if (i % 9973 === 17) return 12 + (i % 7);
    }
    return x;
  });
}

const params = (p: Partial<SamplingParams>): SamplingParams => ({ ...DEFAULT_SAMPLING, seed: 1, ...p });

async function runSteps(page: Page, logits: number[], steps: Step[], maxHistory = 64, offsetFloats = 0) {
  return page.evaluate(
    ({ logits, steps, maxHistory, offsetFloats }) => window.samplerHarness.run(logits, steps, maxHistory, offsetFloats),
    { logits, steps, maxHistory, offsetFloats },
  );
}

/** The mask words for the allowed ids, as the sampler takes them. */
function maskWords(V: number, allowed: readonly number[]): Uint32Array {
  const words = new Uint32Array(Math.ceil(V / 32));
  for (const id of allowed) words[id >>> 5]! |= 1 << (id & 31);
  return words;
}

function extrasOf(V: number, s: Step) {
  const bias = new Float32Array(V);
  for (const [id, v] of s.bias ?? []) bias[id] = v;
  return { ...(s.bias ? { bias } : {}), ...(s.allowed ? { allowed: maskWords(V, s.allowed) } : {}) };
}

function expectSameAsReference(logits: number[], steps: Step[], got: SampleResult[], maxHistory = 64) {
  const l = new Float32Array(logits);
  expect(got.length).toBe(steps.length);
  steps.forEach((s, n) => {
    const want = sampleReference(l, s.params, historyWindow(s.history, maxHistory), s.step, extrasOf(l.length, s));
    const where = `step ${n}: ${JSON.stringify({ ...s, history: s.history.length })}`;
    expect(got[n]!.top, where).toEqual(want.top);
    // weightSum checks the whole f32 chain (penalty, temperature, exp, running sum) bit for bit, not
    // only where a draw happens to land
    const { id, kept, candidates, weightSum } = got[n]!;
    expect({ id, kept, candidates, weightSum }, where).toEqual({
      id: want.id,
      kept: want.kept,
      candidates: want.candidates,
      weightSum: want.weightSum,
    });
  });
}

/** History drawn from the tokens the logits favour, so the penalty changes the outcome. */
function likelyHistory(logits: number[], n: number): number[] {
  const order = logits
    .map((_, i) => i)
    .filter((i) => Number.isFinite(logits[i]!))
    .sort((a, b) => logits[b]! - logits[a]!);
  return Array.from({ length: n }, (_, i) => order[(i * 7) % Math.min(order.length, 40)]!);
}

const SAMPLED: Partial<SamplingParams>[] = [
  { temperature: 1 },
  { temperature: 0.7, top_k: 40, top_p: 0.95 },
  { temperature: 1.3, top_p: 0.9, repetition_penalty: 1.3 },
  { temperature: 0.5, top_k: 1 },
  { temperature: 2, maxCandidates: 1024 },
  { temperature: 1, top_k: 5, top_p: 0.5, repetition_penalty: 0.8 },
  { temperature: 3, top_k: 300, maxCandidates: 300 },
  { temperature: 0.05, top_p: 0.3 },
];

for (const V of [512, REAL_VOCAB]) {
  test.describe(`GPU sampler, vocab ${V}`, () => {
    for (const shape of ['normal', 'ties', 'masked'] as const) {
      test(`greedy, ${shape} logits`, async ({ page }) => {
        await openHarness(page);
        const logits = randomLogits(V, shape, V + shape.length);
        const hist = likelyHistory(logits, 12);
        const steps: Step[] = [
          { params: params({ temperature: 0 }), step: 0, history: [] },
          { params: params({ temperature: 0, repetition_penalty: 1.5 }), step: 1, history: hist },
          { params: params({ temperature: 0, repetition_penalty: 100 }), step: 2, history: hist },
          { params: params({ temperature: 0, repetition_penalty: 0.5 }), step: 3, history: hist },
        ];
        const { results } = await runSteps(page, logits, steps, 64, 37);
        expectSameAsReference(logits, steps, results);
        // The penalty has to matter, or its half of the test proves nothing.
        expect(new Set(results.map((r) => r.id)).size).toBeGreaterThan(1);
      });

      test(`sampled, ${shape} logits`, async ({ page }) => {
        await openHarness(page);
        const logits = randomLogits(V, shape, 7 * V + shape.length);
        const hist = likelyHistory(logits, 20);
        const steps: Step[] = [];
        SAMPLED.forEach((p, i) => {
          for (const seed of [0, 42, 0xdeadbeef])
            steps.push({ params: params({ ...p, seed }), step: i * 13 + (seed % 5), history: i % 2 ? hist : [] });
        });
        const { results } = await runSteps(page, logits, steps);
        expectSameAsReference(logits, steps, results);
        expect(new Set(results.map((r) => r.id)).size).toBeGreaterThan(3);
      });
    }

    test('every candidate and nucleus size, many seeds and steps', async ({ page }) => {
      await openHarness(page);
      const logits = randomLogits(V, 'normal', 99 + V).map((x) => x / 3); // flatter: the draw spreads out
      const steps: Step[] = Array.from({ length: 24 }, (_, n) => ({
        params: params({
          temperature: 1,
          top_k: [0, 2, 17, 256][n % 4]!,
          top_p: [1, 0.8, 0.5][n % 3]!,
          seed: 1000 + (n >> 2),
        }),
        step: n * 3,
        history: [],
      }));
      const { results } = await runSteps(page, logits, steps);
      expectSameAsReference(logits, steps, results);
      expect(new Set(results.map((r) => r.id)).size).toBeGreaterThan(8);
    });
  });
}

test('all candidates equal: the lowest ids, in order', async ({ page }) => {
  await openHarness(page);
  const logits = new Array<number>(REAL_VOCAB).fill(1.5);
  const steps: Step[] = [
    { params: params({ temperature: 0 }), step: 0, history: [] },
    { params: params({ temperature: 1, top_k: 3, seed: 5 }), step: 1, history: [] },
    {
      params: params({ temperature: 1, top_k: 100, top_p: 0.5, repetition_penalty: 1.5, seed: 6 }),
      step: 2,
      history: [0, 1],
    },
  ];
  const { results } = await runSteps(page, logits, steps);
  expectSameAsReference(logits, steps, results);
  expect(results[0]!.id).toBe(0);
  expect(results[0]!.top.map(([id]) => id)).toEqual([0, 1, 2, 3, 4]);
  expect(results[1]!.id).toBeLessThan(3);
  expect(results[2]!.id).toBeGreaterThanOrEqual(2); // 0 and 1 are penalized
  expect(results[2]!.id).toBeLessThan(52);
});

test('ties among the tokens one invocation reads', async ({ page }) => {
  await openHarness(page);
  // Ids 256 apart are read by the same invocation of sample_prep, one after another: its own
  // tie-breaking (not only the merges across invocations) decides the top 5 and the argmax here.
  const logits = Array.from({ length: REAL_VOCAB }, (_, i) => (i % 256 === 0 ? 5 : (i % 7) * 0.1));
  const steps: Step[] = [
    { params: params({ temperature: 0 }), step: 0, history: [] },
    { params: params({ temperature: 0, repetition_penalty: 2 }), step: 0, history: [0, 512] },
    { params: params({ temperature: 1, top_k: 3, seed: 9 }), step: 4, history: [] },
    { params: params({ temperature: 0.5, top_k: 700, seed: 10 }), step: 5, history: [] },
  ];
  const { results } = await runSteps(page, logits, steps);
  expectSameAsReference(logits, steps, results);
  expect(results[0]!.top.map(([id]) => id)).toEqual([0, 256, 512, 768, 1024]);
  expect(results[0]!.id).toBe(0);
  expect(results[1]!.id).toBe(256);
  expect(results[2]!.id % 256).toBe(0);
  expect(results[2]!.id).toBeLessThan(768);
});

test('a vocabulary smaller than the candidate count and the top 5', async ({ page }) => {
  await openHarness(page);
  const logits = [0.5, -1, 2, 0.5];
  const steps: Step[] = [0, 1, 2, 3, 4, 5].map((n) => ({
    params: params({ temperature: 1.5, seed: n }),
    step: n,
    history: [],
  }));
  const { results } = await runSteps(page, logits, steps);
  expectSameAsReference(logits, steps, results);
  expect(results[0]!.top).toEqual([
    [2, 2],
    [0, 0.5],
    [3, 0.5],
    [1, -1],
  ]);
  expect(results.every((r) => r.candidates === 4)).toBe(true);
});

test('generation loop: one submit and one mapAsync per step, history grows on the GPU side', async ({ page }) => {
  await openHarness(page);
  const V = REAL_VOCAB;
  const STEPS = 12;
  const maxHistory = 8;
  const perStep = Array.from({ length: STEPS }, (_, n) => randomLogits(V, 'normal', 500 + n));
  const prompt = likelyHistory(perStep[0]!, 10);
  const p = params({ temperature: 0.8, top_k: 50, top_p: 0.9, repetition_penalty: 1.2, seed: 77 });
  const { results, mapCalls } = await page.evaluate(
    ({ perStep, p, prompt, maxHistory }) => window.samplerHarness.generate(perStep, p, prompt, maxHistory),
    { perStep, p, prompt, maxHistory },
  );
  expect(mapCalls).toBe(STEPS);
  const history = [...prompt];
  results.forEach((r, n) => {
    const want = sampleReference(new Float32Array(perStep[n]!), p, historyWindow(history, maxHistory), n);
    expect(r.id, `step ${n}`).toBe(want.id);
    expect(r.top, `step ${n}`).toEqual(want.top);
    expect(r.weightSum, `step ${n}`).toBe(want.weightSum);
    history.push(r.id);
  });
});

test('invalid parameters and inputs are rejected with the parameter named', async ({ page }) => {
  await openHarness(page);
  const ok = params({});
  const messages = await page.evaluate(
    (cases) => window.samplerHarness.errors(16, cases),
    [
      { params: ok, history: [], offsetBytes: 0 },
      { params: { ...ok, temperature: -1 }, history: [], offsetBytes: 0 },
      { params: { ...ok, top_p: 0 }, history: [], offsetBytes: 0 },
      { params: { ...ok, top_k: 2.5 }, history: [], offsetBytes: 0 },
      { params: { ...ok, repetition_penalty: 0 }, history: [], offsetBytes: 0 },
      { params: ok, history: [16], offsetBytes: 0 },
      { params: ok, history: [], offsetBytes: 2 },
    ],
  );
  expect(messages[0]).toBe('');
  expect(messages[1]).toContain('temperature');
  expect(messages[2]).toContain('top_p');
  expect(messages[3]).toContain('top_k');
  expect(messages[4]).toContain('repetition_penalty');
  expect(messages[5]).toContain('outside the vocabulary');
  expect(messages[6]).toContain('logits offset');
});

test.describe('logit bias, grammar masks and logprobs', () => {
  for (const V of [512, REAL_VOCAB]) {
    test(`vocab ${V}: a bias forces or bans a token, a mask confines the pick, and both stay exact`, async ({
      page,
    }) => {
      await openHarness(page);
      const logits = randomLogits(V, 'normal', 3 * V + 1);
      const order = logits.map((_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
      const [best, second] = [order[0]!, order[1]!];
      const far = order[V - 3]!; // among the least likely
      const allowed = [far, order[V >> 1]!, order[(V >> 1) + 1]!, 7];
      const steps: Step[] = [
        { params: params({ temperature: 0 }), step: 0, history: [], bias: [[far, 100]] },
        { params: params({ temperature: 0 }), step: 1, history: [], bias: [[best, -100]] },
        {
          params: params({ temperature: 0.8, top_k: 40, seed: 3 }),
          step: 2,
          history: [],
          bias: [
            [far, 100],
            [best, -100],
          ],
        },
        { params: params({ temperature: 0 }), step: 3, history: [], allowed },
        {
          params: params({ temperature: 1, seed: 11 }),
          step: 4,
          history: likelyHistory(logits, 6),
          allowed,
          bias: [[7, 3]],
        },
        { params: params({ temperature: 1.2, top_p: 0.9, seed: 12 }), step: 5, history: [], allowed: [second] },
      ];
      const { results } = await runSteps(page, logits, steps);
      expectSameAsReference(logits, steps, results);
      expect(results[0]!.id).toBe(far);
      expect(results[1]!.id).toBe(second);
      expect(results[2]!.id).toBe(far);
      expect(allowed).toContain(results[3]!.id);
      expect(allowed).toContain(results[4]!.id);
      expect(results[5]!.id).toBe(second);
      // the diagnostics' top 5 stay the raw logits'
      expect(results[3]!.top[0]![0]).toBe(best);
    });

    test(`vocab ${V}: logprobs are the log-softmax of what the step picked from, for the pick and the top tokens`, async ({
      page,
    }) => {
      await openHarness(page);
      const logits = randomLogits(V, 'masked', 5 * V + 2);
      const hist = likelyHistory(logits, 10);
      const three = logits
        .map((_, i) => i)
        .filter((i) => Number.isFinite(logits[i]!))
        .slice(0, 3);
      const steps: Step[] = [
        { params: params({ temperature: 0 }), step: 0, history: [], logprobs: 5 },
        { params: params({ temperature: 0.7, seed: 4 }), step: 1, history: hist, logprobs: 3, bias: [[9, 2]] },
        { params: params({ temperature: 1.5, top_k: 10, seed: 5 }), step: 2, history: [], logprobs: 0 },
        { params: params({ temperature: 0 }), step: 3, history: [], logprobs: 5, allowed: three },
      ];
      const { results } = await runSteps(page, logits, steps);
      expectSameAsReference(logits, steps, results);
      steps.forEach((s, n) => {
        const values = stepValues(new Float32Array(logits), s.params, historyWindow(s.history, 64), extrasOf(V, s));
        const lp = logprobsReference(values);
        const got = results[n]!.logprobs!;
        expect(got, `step ${n}`).toBeDefined();
        expect(Math.abs(got.logprob - lp[results[n]!.id]!), `step ${n}: the pick's logprob`).toBeLessThan(2e-4);
        const want = Array.from(lp.keys())
          .filter((i) => lp[i]! > -Infinity)
          .sort((a, b) => lp[b]! - lp[a]! || a - b)
          .slice(0, s.logprobs);
        expect(
          got.top.map(([id]) => id),
          `step ${n}: the top ids`,
        ).toEqual(want);
        got.top.forEach(([id, v]) => expect(Math.abs(v - lp[id]!), `step ${n}: token ${id}`).toBeLessThan(2e-4));
        // a distribution: no logprob above 0, and the top ones' probabilities sum to at most 1
        expect(got.top.reduce((sum, [, v]) => sum + Math.exp(v), 0)).toBeLessThanOrEqual(1 + 1e-5);
      });
      // with a mask of three tokens, their probabilities are all there is
      expect(results[3]!.logprobs!.top.length).toBe(3);
      expect(results[3]!.logprobs!.top.reduce((sum, [, v]) => sum + Math.exp(v), 0)).toBeCloseTo(1, 4);
    });
  }

  test('frequency and presence penalties count the tokens generated so far', async ({ page }) => {
    await openHarness(page);
    const V = 512;
    const STEPS = 10;
    // the same logits every step: without the penalties greedy would repeat one token forever
    const base = randomLogits(V, 'normal', 77);
    const perStep = Array.from({ length: STEPS }, () => base);
    const p = params({ temperature: 0 });
    const penalties = { frequency: 0.6, presence: 0.4 };
    const { results } = await page.evaluate(
      ({ perStep, p, penalties }) => window.samplerHarness.generate(perStep, p, [], 0, penalties),
      { perStep, p, penalties },
    );
    const counts = new Map<number, number>();
    results.forEach((r, n) => {
      const bias = new Float32Array(V);
      for (const [id, c] of counts) bias[id] = Math.fround(-penalties.frequency * c - penalties.presence);
      const want = sampleReference(new Float32Array(base), p, [], n, { bias });
      expect(r.id, `step ${n}`).toBe(want.id);
      counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    });
    expect(counts.size).toBeGreaterThan(1);
  });
});
