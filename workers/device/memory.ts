/**
 * The one memory model the device check and the runtime share: what a loaded model takes on the GPU.
 *
 *   GPU bytes = weights on the GPU (dense + the expert cache) + KV cache + WORKING_MARGIN
 *
 * - Weights: every tensor resident, or the dense tensors plus an expert cache when experts are paged.
 * - KV cache: (kv_lora_rank + rope) f32 values per token per layer (MLA caches the latent, not K and V).
 *   The plan reserves KV_RESERVE for it: 768 MiB with every expert resident (a context of about
 *   12,900 tokens of DeepSeek-Coder-V2-Lite, 62,208 bytes a token), 256 MiB when paging (about 4,300
 *   tokens; the rest of the GPU goes to the expert cache). The context never exceeds the model's own.
 * - WORKING_MARGIN, the one margin: activations of a prefill batch, the sampler's buffers, staging for
 *   uploads and what the driver allocates for itself.
 *
 * Sizes in bytes; "MiB" is 2^20 bytes.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';

const MiB = 2 ** 20;

/** Beyond weights and KV cache: activations, sampler, upload staging, driver allocations. */
export const WORKING_MARGIN = 256 * MiB;

/** The KV cache the plan reserves, by how the experts are held. */
export const KV_RESERVE = { resident: 768 * MiB, paged: 256 * MiB } as const;

/** Bytes of KV cache one token takes: its latent (kv_lora_rank + rope f32 values) in every layer. */
export function kvBytesPerToken(hp: Pick<DeepSeek2Hparams, 'kvLoraRank' | 'qkRope' | 'nLayer'>): number {
  return (hp.kvLoraRank + hp.qkRope) * 4 * hp.nLayer;
}

/**
 * The context a load gets, in tokens: what `requested` asks (or the model's own), no more than the
 * KV reserve holds and one layer's cache fits the GPU's largest binding (`maxBinding` bytes).
 */
export function contextLength(hp: DeepSeek2Hparams, reserveBytes: number, maxBinding: number, requested?: number): number {
  const layerRow = (hp.kvLoraRank + hp.qkRope) * 4;
  return Math.min(requested ?? Infinity, hp.contextLength, Math.floor(reserveBytes / kvBytesPerToken(hp)), Math.floor(maxBinding / layerRow));
}
