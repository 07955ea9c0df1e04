/**
 * Sampling parameters: their type, defaults, validation, and the per-step constants derived from them.
 * The GPU sampler (sampler.ts) and its CPU reference (sampling-reference.ts) both take their
 * constants from `samplingPlan`, so the two read the parameters the same way, down to the f32 bits.
 */

export interface SamplingParams {
  /** divides the logits before the softmax; 0 = greedy (argmax) */
  readonly temperature: number;
  /** keep only the k most likely tokens; 0 = off (then `maxCandidates` still bounds the set) */
  readonly top_k: number;
  /** nucleus: keep the smallest set of most likely candidates whose probability reaches top_p; 1 = off */
  readonly top_p: number;
  /**
   * llama.cpp / Hugging Face semantics: for each distinct token of the history window, a positive
   * logit is divided by the penalty and a negative one multiplied by it; 1 = off. Applies to greedy too.
   */
  readonly repetition_penalty: number;
  /** same seed, same inputs and same step index → same token; any integer, taken modulo 2^32 */
  readonly seed: number;
  /**
   * the sampler draws from at most this many of the most likely tokens; top_p is applied within
   * them, so with top_k = 0 a top_p cut is relative to these candidates, not the whole vocabulary
   */
  readonly maxCandidates: number;
}

/** What the GPU kernels are sized for (kernels/sample*.wgsl: MAX_CAND). */
export const MAX_CANDIDATES = 1024;

export const DEFAULT_SAMPLING: Omit<SamplingParams, 'seed'> = {
  temperature: 1,
  top_k: 0,
  top_p: 1,
  repetition_penalty: 1,
  maxCandidates: 256,
};

function fail(name: string, rule: string, value: unknown): never {
  throw new Error(`${name} must be ${rule}, got ${String(value)}`);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Throws an Error naming the first invalid parameter; the message is meant for API users. */
export function validateSamplingParams(p: SamplingParams): void {
  if (!isNumber(p.temperature) || p.temperature < 0)
    fail('temperature', 'a finite number >= 0 (0 = greedy)', p.temperature);
  if (!isNumber(p.top_k) || !Number.isInteger(p.top_k) || p.top_k < 0)
    fail('top_k', 'an integer >= 0 (0 = off)', p.top_k);
  if (!isNumber(p.top_p) || p.top_p <= 0 || p.top_p > 1) fail('top_p', 'a number in (0, 1] (1 = off)', p.top_p);
  if (!isNumber(p.repetition_penalty) || p.repetition_penalty <= 0) {
    fail('repetition_penalty', 'a finite number > 0 (1 = off)', p.repetition_penalty);
  }
  if (!isNumber(p.seed) || !Number.isInteger(p.seed)) fail('seed', 'a finite integer', p.seed);
  if (
    !isNumber(p.maxCandidates) ||
    !Number.isInteger(p.maxCandidates) ||
    p.maxCandidates < 1 ||
    p.maxCandidates > MAX_CANDIDATES
  ) {
    fail('maxCandidates', `an integer in [1, ${MAX_CANDIDATES}]`, p.maxCandidates);
  }
}

/** A random 32-bit seed, for requests that give none (only ever on the CPU, once per request). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** Fills in the defaults (a fresh random seed when none is given) and validates. */
export function resolveSamplingParams(given: Partial<SamplingParams> = {}): SamplingParams {
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as Partial<SamplingParams>;
  const p: SamplingParams = { ...DEFAULT_SAMPLING, seed: randomSeed(), ...defined };
  validateSamplingParams(p);
  return p;
}

/** The constants one sampling step runs with; every float here is already an f32. */
export interface SamplingPlan {
  /** argmax of the penalized logits; no temperature, no candidates */
  readonly greedy: boolean;
  /** how many top tokens the draw considers: min(top_k || maxCandidates, maxCandidates, vocab) */
  readonly candidates: number;
  /** 1 / temperature, rounded to f32: the GPU multiplies, since WGSL division is not exactly rounded */
  readonly invTemperature: number;
  readonly penalty: number;
  /** 1 / penalty, rounded to f32, for the same reason */
  readonly invPenalty: number;
  readonly topP: number;
  /** the seed as a u32 */
  readonly seed: number;
}

export function samplingPlan(p: SamplingParams, vocabSize: number): SamplingPlan {
  validateSamplingParams(p);
  const invTemperature = p.temperature > 0 ? Math.fround(1 / p.temperature) : 0;
  // A temperature so small that 1/T overflows f32 is greedy in all but name.
  const greedy = !(invTemperature > 0 && Number.isFinite(invTemperature));
  const limit = p.top_k > 0 ? Math.min(p.top_k, p.maxCandidates) : p.maxCandidates;
  return {
    greedy,
    candidates: greedy ? 1 : Math.min(limit, vocabSize),
    invTemperature: greedy ? 0 : invTemperature,
    penalty: Math.fround(p.repetition_penalty),
    invPenalty: Math.fround(1 / Math.fround(p.repetition_penalty)),
    topP: Math.fround(p.top_p),
    seed: p.seed >>> 0,
  };
}
