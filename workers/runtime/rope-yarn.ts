/**
 * YaRN rotary embedding for DeepSeek-V2's rope slice, in f64 on the host.
 *
 * Pair i (of n_rot/2) turns at base^(-2i/n_rot) radians per position, blended between interpolated
 * (divided by the scaling factor) and extrapolated by a ramp over the "correction dims" [lo, hi].
 * DeepSeek-V2 sets the attention factor so that the cos/sin magnitude is exactly 1, and puts the
 * mscale into the softmax scale instead (attentionScale).
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';

export function correctionDims(
  nRot: number,
  base: number,
  originalContext: number,
  betaFast: number,
  betaSlow: number,
): [number, number] {
  const dim = (beta: number) => (nRot * Math.log(originalContext / (beta * 2 * Math.PI))) / (2 * Math.log(base));
  return [Math.max(0, Math.floor(dim(betaFast))), Math.min(nRot - 1, Math.ceil(dim(betaSlow)))];
}

/** Radians per position for each pair. */
export function ropeFrequencies(hp: DeepSeek2Hparams): Float64Array {
  const nRot = hp.qkRope;
  const { base, factor, scalingType, originalContext, betaFast, betaSlow } = hp.rope;
  const out = new Float64Array(nRot / 2);
  const yarn = scalingType === 'yarn' && factor !== 1;
  const [lo, hi] = correctionDims(nRot, base, originalContext, betaFast, betaSlow);
  for (let i = 0; i < nRot / 2; i++) {
    const extrapolated = base ** ((-2 * i) / nRot);
    if (!yarn) {
      out[i] = extrapolated;
      continue;
    }
    const ramp = 1 - Math.min(1, Math.max(0, (i - lo) / Math.max(0.001, hi - lo)));
    out[i] = (extrapolated / factor) * (1 - ramp) + extrapolated * ramp;
  }
  return out;
}

/** cos and sin for positions pos0 .. pos0+T-1, as [T][n_rot/2][2] f32. */
export function ropeTable(freqs: Float64Array, pos0: number, T: number): Float32Array<ArrayBuffer> {
  const half = freqs.length;
  const out = new Float32Array(T * half * 2);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const theta = (pos0 + t) * freqs[i]!;
      out[(t * half + i) * 2] = Math.cos(theta);
      out[(t * half + i) * 2 + 1] = Math.sin(theta);
    }
  }
  return out;
}

/**
 * The softmax scale: mscale^2 / sqrt(qk_nope + qk_rope), with mscale = 1 + yarn_log_multiplier *
 * ln(factor) (0.1 * 0.707 * ln 40 for the real model). Dropping mscale^2 still matches at position 0,
 * where a one-key softmax ignores scale, and drifts after.
 */
export function attentionScale(hp: DeepSeek2Hparams): number {
  const { factor, scalingType, yarnLogMultiplier } = hp.rope;
  const mscale = scalingType === 'yarn' && factor > 1 ? 1 + yarnLogMultiplier * Math.log(factor) : 1;
  return (mscale * mscale) / Math.sqrt(hp.qkNope + hp.qkRope);
}
