/**
 * The KV cache's forms (kernels/kv/): f32, or f16 packed two to a u32 with pack2x16float (half the
 * memory; no shader-f16 needed). One layer's cache is one buffer of rows by position, each row the
 * latent (kv_lora_rank values) then the roped k_pe (rope values).
 */

/** The KV cache's element form. */
export type KvType = 'F32' | 'F16';

/** Bytes one cached value takes in a KV cache of `type`. */
export const kvValueBytes = (type: KvType): number => (type === 'F16' ? 2 : 4);

/** A layer's KV cache: rows of R + n_rot values by position, in `type`'s form. */
export interface KvCache {
  readonly buffer: GPUBuffer;
  readonly type: KvType;
}
