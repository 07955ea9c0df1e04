/**
 * The scratch buffers of a forward pass (llama2.c's RunState): the step's inputs, every intermediate
 * activation, sized for a step of `maxBatch` tokens, and the latent KV cache of `contextLength`
 * positions per layer. Names follow the graph (deepseek2.ts); shapes are [tokens][...] in f32 unless
 * said otherwise.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
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
  /** [T][H][rope]: the roped q_pe */
  readonly q_pe: GPUBuffer;
  /** [T][H][kv_lora_rank]: q_nope absorbed into the latent space (wk_b) */
  readonly q_abs: GPUBuffer;
  /** [T][H][kv_lora_rank]: attention's output in the latent space */
  readonly kqv_lat: GPUBuffer;
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
  /** per layer, [contextLength][kv_lora_rank + rope]: the normed kv_cmpr and the roped k_pe */
  readonly kv_cache: readonly GPUBuffer[];
  /** every buffer above, for destroy() */
  readonly all: readonly GPUBuffer[];
}

/**
 * Allocates the activations for steps of up to `maxBatch` tokens and a KV cache of `contextLength`
 * positions. Throws a RangeError when one layer's cache would not fit the GPU's largest binding.
 */
export function createActivations(device: GPUDevice, hp: DeepSeek2Hparams, maxBatch: number, contextLength: number, maxBinding: number): Activations {
  const all: GPUBuffer[] = [];
  const T = maxBatch;
  const { nEmbd: E, nHead: H, kvLoraRank: R, qkNope: nope, qkRope: rope, vHead: v, nExpertUsed: k } = hp;
  const F = Math.max(hp.ffnDense, hp.ffnExpert * hp.nExpertShared);
  const make = (size: number, usage: number, label: string) => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    all.push(b);
    return b;
  };
  const f32 = (floats: number, label: string) => make(floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label);
  const rowFloats = R + rope;
  if (contextLength * rowFloats * 4 > maxBinding) throw new RangeError(`A context of ${contextLength} positions does not fit this GPU's largest binding.`);
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
    q_pe: f32(T * H * rope, 'q_pe'),
    q_abs: f32(T * H * R, 'q_abs'),
    kqv_lat: f32(T * H * R, 'kqv_lat'),
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
    kv_cache: Array.from({ length: hp.nLayer }, (_, l) => f32(contextLength * rowFloats, `kv_cache L${l}`)),
    all,
  };
}

export function destroyActivations(a: Activations): void {
  for (const b of a.all) b.destroy();
}
