/**
 * What a `deepseek2` GGUF file must contain, read from its metadata and tensor table: the
 * hyperparameters the runtime needs (never assumed) and a check of every tensor's presence and shape,
 * for both attention layouts (current `attn_k_b`/`attn_v_b`, legacy `attn_kv_b`).
 */
import { ModelFormatError } from '../errors';
import type { GgufHeader, GgufTensorInfo, GgufValue } from './parse';

export type AttentionLayout = 'mla' | 'legacy';

export interface DeepSeek2Hparams {
  readonly nLayer: number;
  readonly nEmbd: number;
  readonly nVocab: number;
  readonly nHead: number;
  readonly contextLength: number;
  readonly rmsEps: number;
  /** the first `nLeadingDense` layers have a dense FFN of width `ffnDense` */
  readonly nLeadingDense: number;
  readonly ffnDense: number;
  readonly nExpert: number;
  readonly nExpertUsed: number;
  readonly nExpertShared: number;
  readonly ffnExpert: number;
  readonly expertWeightsScale: number;
  readonly expertWeightsNorm: boolean;
  readonly expertGating: 'softmax' | 'sigmoid';
  readonly kvLoraRank: number;
  readonly qkNope: number;
  readonly qkRope: number;
  readonly vHead: number;
  readonly attentionLayout: AttentionLayout;
  readonly rope: {
    readonly base: number;
    readonly scalingType: 'none' | 'yarn';
    readonly factor: number;
    readonly originalContext: number;
    readonly yarnLogMultiplier: number;
    readonly betaFast: number;
    readonly betaSlow: number;
  };
}

class Meta {
  constructor(
    private readonly m: ReadonlyMap<string, GgufValue>,
    private readonly arch: string,
  ) {}

  private raw(key: string): GgufValue | undefined {
    return this.m.get(`${this.arch}.${key}`);
  }

  num(key: string, fallback?: number): number {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new ModelFormatError(
        'missing-metadata',
        `The file lacks the metadata key "${this.arch}.${key}", which a DeepSeek-V2 model needs.`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ModelFormatError(
        'bad-metadata',
        `Metadata "${this.arch}.${key}" should be a number, not ${JSON.stringify(v).slice(0, 40)}.`,
      );
    return v;
  }

  count(key: string, fallback?: number, max = 1 << 24): number {
    const v = this.num(key, fallback);
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new ModelFormatError(
        'bad-metadata',
        `Metadata "${this.arch}.${key}" is ${v}, which is not a sensible count.`,
      );
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean')
      throw new ModelFormatError('bad-metadata', `Metadata "${this.arch}.${key}" should be true or false.`);
    return v;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    return typeof v === 'string' ? v : undefined;
  }
}

export function readArchitecture(header: GgufHeader): string {
  const arch = header.metadata.get('general.architecture');
  if (typeof arch !== 'string')
    throw new ModelFormatError(
      'missing-metadata',
      'The file does not say which architecture it holds (general.architecture).',
    );
  return arch;
}

/** Hyperparameters and tensor check of a deepseek2 file; throws a ModelFormatError naming what is wrong. */
export function readDeepSeek2(header: GgufHeader): DeepSeek2Hparams {
  const arch = readArchitecture(header);
  if (arch !== 'deepseek2') {
    throw new ModelFormatError(
      'wrong-architecture',
      `This is a "${arch}" model. Lite Coder runs DeepSeek-V2 models (architecture "deepseek2"), such as DeepSeek-Coder-V2-Lite.`,
    );
  }
  const m = new Meta(header.metadata, arch);
  const tensors = new Map(header.tensors.map((t) => [t.name, t]));
  if (m.count('attention.q_lora_rank', 0) !== 0) {
    throw new ModelFormatError(
      'wrong-architecture',
      'This DeepSeek-V2 model uses a low-rank query projection (q LoRA, the full-size V2); Lite Coder runs the Lite models, which do not.',
    );
  }
  const layout: AttentionLayout = tensors.has('blk.0.attn_kv_b.weight') ? 'legacy' : 'mla';
  const nEmbd = m.count('embedding_length');
  const nHead = m.count('attention.head_count', undefined, 4096);
  const kvLoraRank = m.count('attention.kv_lora_rank');
  const qkRope = m.count('rope.dimension_count');
  const keyLength = layout === 'mla' ? m.count('attention.key_length_mla', undefined) : m.count('attention.key_length');
  const vHead = layout === 'mla' ? m.count('attention.value_length_mla') : m.count('attention.value_length');
  const gating = m.count('expert_gating_func', 1);
  if (gating !== 1 && gating !== 2)
    throw new ModelFormatError(
      'bad-metadata',
      `Metadata "deepseek2.expert_gating_func" is ${gating}; only softmax (1) and sigmoid (2) exist.`,
    );
  const scalingType = m.str('rope.scaling.type') ?? 'none';
  if (scalingType !== 'yarn' && scalingType !== 'none')
    throw new ModelFormatError('bad-metadata', `Rope scaling "${scalingType}" is not supported (yarn or none).`);
  const token = tensors.get('token_embd.weight');
  const hp: DeepSeek2Hparams = {
    nLayer: m.count('block_count', undefined, 1024),
    nEmbd,
    nVocab: m.count('vocab_size', token?.ne[1] ?? 0),
    nHead,
    contextLength: m.count('context_length', 4096, 1 << 30),
    rmsEps: m.num('attention.layer_norm_rms_epsilon'),
    nLeadingDense: m.count('leading_dense_block_count', 0),
    ffnDense: m.count('feed_forward_length'),
    nExpert: m.count('expert_count', undefined, 4096),
    nExpertUsed: m.count('expert_used_count', undefined, 4096),
    nExpertShared: m.count('expert_shared_count', 0, 4096),
    ffnExpert: m.count('expert_feed_forward_length'),
    expertWeightsScale: m.num('expert_weights_scale', 1),
    expertWeightsNorm: m.bool('expert_weights_norm', false),
    expertGating: gating === 2 ? 'sigmoid' : 'softmax',
    kvLoraRank,
    qkNope: keyLength - qkRope,
    qkRope,
    vHead,
    attentionLayout: layout,
    rope: {
      base: m.num('rope.freq_base', 10000),
      scalingType,
      factor: m.num('rope.scaling.factor', 1),
      originalContext: m.count('rope.scaling.original_context_length', 4096, 1 << 30),
      yarnLogMultiplier: m.num('rope.scaling.yarn_log_multiplier', 0),
      betaFast: m.num('rope.scaling.yarn_beta_fast', 32),
      betaSlow: m.num('rope.scaling.yarn_beta_slow', 1),
    },
  };
  if (hp.qkNope <= 0 || qkRope % 2 !== 0)
    throw new ModelFormatError(
      'bad-metadata',
      `Key length ${keyLength} and rope dimension ${qkRope} do not describe MLA heads.`,
    );
  if (hp.nExpertUsed > hp.nExpert || hp.nExpertUsed === 0)
    throw new ModelFormatError(
      'bad-metadata',
      `The model routes to ${hp.nExpertUsed} of ${hp.nExpert} experts, which is impossible.`,
    );
  if (hp.nLeadingDense > hp.nLayer)
    throw new ModelFormatError(
      'bad-metadata',
      `leading_dense_block_count ${hp.nLeadingDense} exceeds block_count ${hp.nLayer}.`,
    );
  checkTensors(hp, tensors);
  return hp;
}

/** Every tensor the forward pass reads, with its ggml shape (fastest dimension first). */
export function expectedTensors(hp: DeepSeek2Hparams): [string, number[]][] {
  const { nEmbd: e, nHead: h, qkNope: nope, qkRope: rope, vHead: v, kvLoraRank: r } = hp;
  const out: [string, number[]][] = [
    ['token_embd.weight', [e, hp.nVocab]],
    ['output_norm.weight', [e]],
    ['output.weight', [e, hp.nVocab]],
  ];
  for (let i = 0; i < hp.nLayer; i++) {
    const p = `blk.${i}.`;
    out.push(
      [`${p}attn_norm.weight`, [e]],
      [`${p}attn_q.weight`, [e, h * (nope + rope)]],
      [`${p}attn_kv_a_mqa.weight`, [e, r + rope]],
      [`${p}attn_kv_a_norm.weight`, [r]],
      [`${p}attn_output.weight`, [h * v, e]],
      [`${p}ffn_norm.weight`, [e]],
    );
    if (hp.attentionLayout === 'legacy') out.push([`${p}attn_kv_b.weight`, [r, h * (nope + v)]]);
    else out.push([`${p}attn_k_b.weight`, [nope, r, h]], [`${p}attn_v_b.weight`, [r, v, h]]);
    if (i < hp.nLeadingDense) {
      out.push(
        [`${p}ffn_gate.weight`, [e, hp.ffnDense]],
        [`${p}ffn_up.weight`, [e, hp.ffnDense]],
        [`${p}ffn_down.weight`, [hp.ffnDense, e]],
      );
    } else {
      const f = hp.ffnExpert;
      out.push(
        [`${p}ffn_gate_inp.weight`, [e, hp.nExpert]],
        [`${p}ffn_gate_exps.weight`, [e, f, hp.nExpert]],
        [`${p}ffn_up_exps.weight`, [e, f, hp.nExpert]],
        [`${p}ffn_down_exps.weight`, [f, e, hp.nExpert]],
      );
      if (hp.nExpertShared > 0) {
        const fs = f * hp.nExpertShared;
        out.push(
          [`${p}ffn_gate_shexp.weight`, [e, fs]],
          [`${p}ffn_up_shexp.weight`, [e, fs]],
          [`${p}ffn_down_shexp.weight`, [fs, e]],
        );
      }
    }
  }
  return out;
}

function checkTensors(hp: DeepSeek2Hparams, tensors: ReadonlyMap<string, GgufTensorInfo>): void {
  for (const [name, shape] of expectedTensors(hp)) {
    const t = tensors.get(name);
    if (!t) {
      throw new ModelFormatError(
        'missing-tensor',
        `The file lacks the tensor "${name}", which a DeepSeek-V2 model of this shape needs.`,
        name,
      );
    }
    if (t.ne.length !== shape.length || t.ne.some((n, i) => n !== shape[i])) {
      throw new ModelFormatError(
        'bad-shape',
        `Tensor "${name}" has shape [${t.ne.join(', ')}]; the metadata implies [${shape.join(', ')}].`,
        name,
      );
    }
  }
  const router = tensors.get(`blk.${hp.nLeadingDense}.ffn_gate_inp.weight`);
  if (router && router.type.name !== 'F32') {
    throw new ModelFormatError(
      'unsupported-type',
      `The router "${router.name}" is ${router.type.name}; DeepSeek-V2 routers are stored as F32.`,
      router.name,
    );
  }
}
