/**
 * The CPU reference of the GPU sampler (sampler.ts, kernels/sample*.wgsl): the same algorithm, the
 * same PRNG and the same f32 arithmetic, one rounding per operation (Math.fround), so that for the same
 * logits, history, parameters and step it picks the same token as the GPU. Used by the tests.
 *
 * The algorithm:
 *  1. NaN logits count as -inf. The top 5 raw logits are reported for diagnostics.
 *  2. Tokens a grammar's mask leaves out become -inf. Repetition penalty on the distinct tokens of the
 *     history: positive logits times 1/penalty, negative ones times penalty; then plus the additive
 *     bias (logit_bias, frequency and presence penalties).
 *  3. Greedy: the argmax of those, lowest id on ties.
 *  4. Otherwise: times 1/temperature; the top C = min(top_k || maxCandidates, maxCandidates, vocab)
 *     by (value descending, id ascending); weights e_i = exp(v_i - v_0) with an exp built from
 *     correctly rounded + - * only (WGSL's exp has no exact precision, this one is bit-reproducible);
 *     running sums c_i; keep the first n with c_(n-1) >= top_p * c_(C-1); u from PCG(PCG(seed) + step);
 *     pick the first i < n with c_i > u * c_(n-1).
 */
import { samplingPlan, type SamplingParams } from './sampling-params';

export interface ReferenceSample {
  readonly id: number;
  /** the 5 highest raw logits as [id, logit], highest first, lowest id first among equals */
  readonly top: [number, number][];
  /** candidates drawn from (1 when greedy) */
  readonly candidates: number;
  /** candidates left after the top-p cut (1 when greedy) */
  readonly kept: number;
  /** the uniform draw in [0, 1) (0 when greedy) */
  readonly u: number;
  /** sum over the candidates of exp(v_c - v_0) (1 when greedy) */
  readonly weightSum: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fr = Math.fround;

const bitsToF32 = (b: number): number => {
  u32[0] = b;
  return f32[0]!;
};

/** An order-preserving u32 of an f32: key order is float order, -0 = +0, NaN sorts as -inf. */
export function sortKey(x: number): number {
  f32[0] = x;
  let b = u32[0]!;
  if ((b & 0x7fffffff) > 0x7f800000) b = 0xff800000;
  const k = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  return k === 0x7fffffff ? 0x80000000 : k;
}

export function keyToFloat(k: number): number {
  return bitsToF32(k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0);
}

/** PCG hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering"): a bijection of u32. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The step's uniform draw in [0, 1): 24 random bits, so exact in f32. */
export function drawUniform(seed: number, step: number): number {
  const h = pcgHash((pcgHash(seed >>> 0) + (step >>> 0)) >>> 0);
  return (h >>> 8) * 2 ** -24;
}

const LOG2E = bitsToF32(0x3fb8aa3b);
const LN2_HI = bitsToF32(0x3f317200);
const LN2_LO = bitsToF32(0x35bfbe8e);
const C3 = bitsToF32(0x3e2aaaab); // 1/6
const C4 = bitsToF32(0x3d2aaaab); // 1/24
const C5 = bitsToF32(0x3c088889); // 1/120
const C6 = bitsToF32(0x3ab60b61); // 1/720

/**
 * exp(x) for x <= 0 in f32, from + - * only: x = k ln2 + r (Cody-Waite), a degree-6 Taylor polynomial
 * of r (|r| <= ln2/2, error about 1 ulp), times 2^k. Below -86 (and NaN) it is 0, which keeps 2^k
 * normal: no subnormals, which GPUs may flush.
 */
export function expNeg(x: number): number {
  if (!(x >= -86)) return 0;
  const k = Math.floor(fr(fr(x * LOG2E) + 0.5));
  const r = fr(fr(x - fr(k * LN2_HI)) - fr(k * LN2_LO));
  let p = C6;
  for (const c of [C5, C4, C3, 0.5, 1, 1]) p = fr(fr(p * r) + c);
  return fr(p * 2 ** k);
}

/** The last `maxHistory` ids: the window the repetition penalty looks at. */
export function historyWindow(ids: readonly number[], maxHistory: number): number[] {
  return maxHistory > 0 ? ids.slice(-maxHistory) : [];
}

/** The ids of the n highest keys: higher key first, then lower id. */
function topByKey(keys: Uint32Array, n: number): number[] {
  const ids = Array.from(keys, (_, i) => i);
  ids.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return ids.slice(0, n);
}

/** What a step adds to the logits beyond the parameters: the sampler's setBias and setMask. */
export interface StepExtras {
  /** added to each token's logit (f32[V]: logit_bias - frequency * count - presence * [count > 0]) */
  readonly bias?: Float32Array;
  /** bit i % 32 of word i / 32 set: token i may be picked */
  readonly allowed?: Uint32Array;
}

/** The values a step picks from: the logits masked, penalised, biased and (when sampling) tempered. */
export function stepValues(
  logits: Float32Array,
  params: SamplingParams,
  history: readonly number[],
  extras: StepExtras = {},
): Float32Array {
  const plan = samplingPlan(params, logits.length);
  const seen = new Set(history);
  return logits.map((x, i) => {
    let v = keyToFloat(sortKey(x));
    if (extras.allowed && ((extras.allowed[i >>> 5]! >>> (i & 31)) & 1) === 0) return -Infinity;
    if (seen.has(i)) v = fr(v * (v > 0 ? plan.invPenalty : plan.penalty));
    if (extras.bias) v = fr(v + extras.bias[i]!);
    if (!plan.greedy) v = fr(v * plan.invTemperature);
    return v;
  });
}

/**
 * The log-probabilities of a step in f64 (what sample_logprob computes in f32): log-softmax of the
 * step's values, for every token.
 */
export function logprobsReference(values: Float32Array): Float64Array {
  let m = -Infinity;
  for (const v of values) m = Math.max(m, v);
  let sum = 0;
  for (const v of values) if (v > -Infinity) sum += Math.exp(v - m);
  const lse = m + Math.log(sum);
  return Float64Array.from(values, (v) => v - lse);
}

/** One sampling step, as the GPU does it. `history` is the window (see historyWindow). */
export function sampleReference(
  logits: Float32Array,
  params: SamplingParams,
  history: readonly number[],
  step: number,
  extras: StepExtras = {},
): ReferenceSample {
  const plan = samplingPlan(params, logits.length);
  const V = logits.length;
  const rawKeys = new Uint32Array(V);
  const keys = new Uint32Array(V);
  const values = stepValues(logits, params, history, extras);
  for (let i = 0; i < V; i++) {
    rawKeys[i] = sortKey(logits[i]!);
    keys[i] = sortKey(values[i]!);
  }
  const top = topByKey(rawKeys, 5).map((i): [number, number] => [i, keyToFloat(rawKeys[i]!)]);
  if (plan.greedy) return { id: topByKey(keys, 1)[0]!, top, candidates: 1, kept: 1, u: 0, weightSum: 1 };

  const cand = topByKey(keys, plan.candidates);
  const v0 = keyToFloat(keys[cand[0]!]!);
  const cum: number[] = [];
  let sum = 0;
  cand.forEach((id, c) => {
    const e = c === 0 ? 1 : expNeg(fr(keyToFloat(keys[id]!) - v0));
    sum = fr(sum + e);
    cum.push(sum);
  });
  const threshold = fr(plan.topP * sum);
  let kept = cum.findIndex((c) => c >= threshold) + 1;
  if (kept === 0) kept = cum.length;
  const u = drawUniform(plan.seed, step);
  const target = fr(u * cum[kept - 1]!);
  let pick = cum.findIndex((c, i) => i < kept && c > target);
  // u * total can round up to total itself: then the last candidate that still added weight.
  if (pick < 0) for (pick = kept - 1; pick > 0 && !(cum[pick]! > cum[pick - 1]!); pick--);
  return { id: cand[pick]!, top, candidates: cand.length, kept, u, weightSum: sum };
}
