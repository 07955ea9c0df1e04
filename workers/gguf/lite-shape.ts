/**
 * The real model's shape, written once: the tests' references, the synthetic real-shape model
 * (scripts/synthetic-model.ts) and the full-size twin (scripts/twin.ts) start from it.
 */
import type { DeepSeek2Hparams } from './deepseek2';

/** DeepSeek-Coder-V2-Lite's hyperparameters, as its GGUF metadata gives them (for shapes and rope). */
export const DEEPSEEK_CODER_V2_LITE = {
  nLayer: 27,
  nEmbd: 2048,
  nVocab: 102400,
  nHead: 16,
  contextLength: 163840,
  rmsEps: 1e-6,
  nLeadingDense: 1,
  ffnDense: 10944,
  nExpert: 64,
  nExpertUsed: 6,
  nExpertShared: 2,
  ffnExpert: 1408,
  expertWeightsScale: 1,
  expertWeightsNorm: false,
  expertGating: 'softmax',
  kvLoraRank: 512,
  qkNope: 128,
  qkRope: 64,
  vHead: 128,
  attentionLayout: 'mla',
  rope: {
    base: 10000,
    scalingType: 'yarn',
    factor: 40,
    originalContext: 4096,
    yarnLogMultiplier: 0.0707,
    betaFast: 32,
    betaSlow: 1,
  },
} as const satisfies DeepSeek2Hparams;
