/**
 * The scratch buffers of a forward pass (llama2.c's RunState): the step's inputs, every intermediate
 * activation, sized for a step of `maxBatch` tokens, and the latent KV cache of `contextLength`
 * positions per layer, in f32 or f16 (kv_type). Names follow the graph (deepseek2.ts); shapes are
 * [tokens][...] in f32 unless said otherwise.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import { kvValueBytes, type KvCache, type KvType } from './kv';
import { STEP } from './params';

export interface Activations {
  readonly maxBatch: number;
  readonly contextLength: number;
  /** the step uniform (params.ts, STEP): T, pos0 */
  readonly step: GPUBuffer;
  /** u32 [T]: the step's token ids */
  readonly ids: GPUBuffer;
  /** [T][n_rot/2][2]: cos, sin of each token's rope angles (host-computed in f64, rope-yarn.ts) */
  readonly rope_cs: GPUBuffer;
  /** [T][n_embd]: the residual stream */
  readonly x: GPUBuffer;
  /** [T][n_embd]: the normed input of the current block */
  readonly cur: GPUBuffer;
  /** [T][H][nope + rope]: queries, q_nope | q_pe per head */
  readonly q: GPUBuffer;
  /** [T][kv_lora_rank + rope]: kv_cmpr | k_pe, before the norm and the rotation */
  readonly kv_a: GPUBuffer;
  /** [T][kv_lora_rank + rope]: the step's new cache rows, normed and roped, before kv_store packs them */
  readonly kv_new: GPUBuffer;
  /** [T][H][rope]: the roped q_pe */
  readonly q_pe: GPUBuffer;
  /** [T][H][kv_lora_rank]: q_nope absorbed into the latent space (wk_b) */
  readonly q_abs: GPUBuffer;
  /** [T][H][kv_lora_rank]: attention's output in the latent space */
  readonly kqv_lat: GPUBuffer;
  /** decode attention's per-split state (flash-decoding): acc [H][splitsMax][kv_lora_rank] ... */
  readonly attn_acc: GPUBuffer;
  /** ... and [1 + H * splitsMax * 2]: the split count, then m, l per head and split */
  readonly attn_ml: GPUBuffer;
  readonly splitsMax: number;
  /** [T][H][v_head]: attention's output values (wv_b) */
  readonly kqv: GPUBuffer;
  /** [T][F]: the dense or shared-expert FFN's gate, up and silu(gate) * up; F the widest of them */
  readonly ffn_gate: GPUBuffer;
  readonly ffn_up: GPUBuffer;
  readonly ffn_act: GPUBuffer;
  /** [T][n_expert]: router logits */
  readonly router_logits: GPUBuffer;
  /** u32 [T][k] and f32 [T][k]: the routed experts of each token and their weights */
  readonly route_ids: GPUBuffer;
  readonly route_weights: GPUBuffer;
  /** MAP_READ copy of route_ids, for paging experts in (paged mode) */
  readonly route_read: GPUBuffer;
  /** [T*k][ffn_expert]: each (token, slot) pair's expert gate, up and activation */
  readonly exp_gate: GPUBuffer;
  readonly exp_up: GPUBuffer;
  readonly exp_act: GPUBuffer;
  /** [T*k][n_embd]: each pair's expert output, before the weighted sum */
  readonly exp_out: GPUBuffer;
  /** [n_embd]: the last token's final norm */
  readonly out_norm: GPUBuffer;
  /** [n_vocab]: the last token's logits */
  readonly logits: GPUBuffer;
  /** per layer, [contextLength][kv_lora_rank + rope] in kv_type: the normed kv_cmpr and the roped k_pe */
  readonly kv_cache: readonly KvCache[];
  readonly kv_type: KvType;
  /** every buffer above, for destroy() */
  readonly all: readonly GPUBuffer[];
}

/** The sizes createActivations allocates for. */
export interface ActivationSizes {
  /** most tokens a step feeds */
  maxBatch: number;
  /** positions the KV cache holds */
  contextLength: number;
  kvType: KvType;
  /** most splits a decode step's attention takes (ops.ts, maxAttentionSplits) */
  splitsMax: number;
}

/**
 * Floats of activations one token of a step takes (every [T][...] buffer above, per token): what the
 * memory model charges a prefill batch (device/memory.ts).
 */
export function activationFloatsPerToken(hp: DeepSeek2Hparams): number {
  const { nEmbd: E, nHead: H, kvLoraRank: R, qkNope: nope, qkRope: rope, vHead: v, nExpertUsed: k } = hp;
  const F = Math.max(hp.ffnDense, hp.ffnExpert * hp.nExpertShared);
  return (
    1 +
    rope +
    2 * E +
    H * (nope + rope) +
    2 * (R + rope) +
    H * rope +
    2 * H * R +
    H * v +
    3 * F +
    hp.nExpert +
    3 * k +
    3 * k * hp.ffnExpert +
    k * E
  );
}

/**
 * Allocates the activations for steps of up to `maxBatch` tokens and a KV cache of `contextLength`
 * positions. Throws a RangeError when one layer's cache would not fit the GPU's largest binding.
 */
export function createActivations(
  device: GPUDevice,
  hp: DeepSeek2Hparams,
  sizes: ActivationSizes,
  maxBinding: number,
): Activations {
  const { maxBatch, contextLength, kvType, splitsMax } = sizes;
  const all: GPUBuffer[] = [];
  const T = maxBatch;
  const { nEmbd: E, nHead: H, kvLoraRank: R, qkNope: nope, qkRope: rope, vHead: v, nExpertUsed: k } = hp;
  const F = Math.max(hp.ffnDense, hp.ffnExpert * hp.nExpertShared);
  const make = (size: number, usage: number, label: string) => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    all.push(b);
    return b;
  };
  const f32 = (floats: number, label: string) =>
    make(floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label);
  const rowFloats = R + rope;
  const rowBytes = rowFloats * kvValueBytes(kvType);
  if (contextLength * rowBytes > maxBinding)
    throw new RangeError(`A context of ${contextLength} positions does not fit this GPU's largest binding.`);
  return {
    maxBatch,
    contextLength,
    step: make(Object.keys(STEP).length * 4, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'step'),
    ids: f32(T, 'ids'),
    rope_cs: f32(T * rope, 'rope_cs'),
    x: f32(T * E, 'x'),
    cur: f32(T * E, 'cur'),
    q: f32(T * H * (nope + rope), 'q'),
    kv_a: f32(T * rowFloats, 'kv_a'),
    kv_new: f32(T * rowFloats, 'kv_new'),
    q_pe: f32(T * H * rope, 'q_pe'),
    q_abs: f32(T * H * R, 'q_abs'),
    kqv_lat: f32(T * H * R, 'kqv_lat'),
    attn_acc: f32(H * splitsMax * R, 'attention splits acc'),
    attn_ml: f32(1 + H * splitsMax * 2, 'attention splits m, l'),
    splitsMax,
    kqv: f32(T * H * v, 'kqv'),
    ffn_gate: f32(T * F, 'ffn_gate'),
    ffn_up: f32(T * F, 'ffn_up'),
    ffn_act: f32(T * F, 'ffn_act'),
    router_logits: f32(T * hp.nExpert, 'router_logits'),
    route_ids: f32(T * k, 'route_ids'),
    route_weights: f32(T * k, 'route_weights'),
    route_read: make(T * k * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'route_ids read-back'),
    exp_gate: f32(T * k * hp.ffnExpert, 'exp_gate'),
    exp_up: f32(T * k * hp.ffnExpert, 'exp_up'),
    exp_act: f32(T * k * hp.ffnExpert, 'exp_act'),
    exp_out: f32(T * k * E, 'exp_out'),
    out_norm: f32(E, 'out_norm'),
    logits: f32(hp.nVocab, 'logits'),
    kv_cache: Array.from({ length: hp.nLayer }, (_, l) => ({
      buffer: make(
        contextLength * rowBytes,
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
        `kv_cache L${l}`,
      ),
      type: kvType,
    })),
    kv_type: kvType,
    all,
  };
}

export function destroyActivations(a: Activations): void {
  for (const b of a.all) b.destroy();
}
