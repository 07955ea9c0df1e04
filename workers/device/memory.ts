/**
 * The one memory model the device check and the runtime share: what a loaded model takes on the GPU,
 * and from that the context a device gives, the expert cache and the prefill batch.
 *
 *   GPU bytes = weights on the GPU (dense + the expert cache) + KV cache + WORKING_MARGIN
 *
 * - Weights: every tensor resident, or the dense tensors plus an expert cache when experts are paged.
 * - KV cache: (kv_lora_rank + rope) values per token per layer (MLA caches the latent, not K and V),
 *   f16 by default (2 bytes a value: 31,104 bytes a token of DeepSeek-Coder-V2-Lite, 4 GB at 128K) or
 *   f32. It gets what the GPU has beyond the weights (planMemory), at least KV_RESERVE: the device
 *   check's thresholds count that much (768 MiB with every expert resident, 256 MiB when paging).
 * - WORKING_MARGIN, the scratch: the activations of a prefill batch (ACTIVATION_BUDGET of it, which
 *   sizes the batch), the sampler's buffers, staging for uploads and what the driver allocates.
 *
 * Sizes in bytes; "MiB" is 2^20 bytes.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import { activationFloatsPerToken } from '../runtime/activations';
import { kvValueBytes, type KvType } from '../runtime/kv';
import type { GpuMemoryReport } from './types';

const MiB = 2 ** 20;

/** Beyond weights and KV cache: activations, sampler, upload staging, driver allocations. */
export const WORKING_MARGIN = 256 * MiB;

/** The part of WORKING_MARGIN a prefill batch's activations may take: it sizes the batch. */
export const ACTIVATION_BUDGET = 128 * MiB;

/**
 * The most tokens a prefill step feeds whatever the memory: a long prompt still reports progress and
 * can be interrupted at least every this many tokens.
 */
export const MAX_BATCH = 1024;

/** The KV cache the plan gives at least, by how the experts are held (the device check's thresholds). */
export const KV_RESERVE = { resident: 768 * MiB, paged: 256 * MiB } as const;

/** When experts are paged, the KV cache takes this share of what is left after the dense weights. */
export const PAGED_KV_SHARE = 0.25;

/** Bytes of KV cache one token takes: its latent (kv_lora_rank + rope values) in every layer. */
export function kvBytesPerToken(hp: Pick<DeepSeek2Hparams, 'kvLoraRank' | 'qkRope' | 'nLayer'>, kv: KvType): number {
  return (hp.kvLoraRank + hp.qkRope) * kvValueBytes(kv) * hp.nLayer;
}

/** The device limits the prefill batch depends on. */
export type BatchLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxComputeWorkgroupsPerDimension'>;

/**
 * The most tokens one prefill step can feed: as many as ACTIVATION_BUDGET holds activations for
 * (activations.ts), no more than the widest per-token activation fits one binding and the kernels'
 * grids over tokens allow (moe_matmul's z is tokens x experts used), nor than MAX_BATCH or the
 * model's context; a multiple of 64 (the attention's query tiles) from 64 up.
 */
export function maxBatchFor(hp: DeepSeek2Hparams, limits: BatchLimits): number {
  const perToken = activationFloatsPerToken(hp) * 4;
  const widest =
    4 *
    Math.max(
      hp.ffnDense,
      hp.ffnExpert * hp.nExpertShared,
      hp.nExpertUsed * Math.max(hp.ffnExpert, hp.nEmbd),
      hp.nHead * hp.kvLoraRank,
    );
  const n = Math.min(
    Math.floor(ACTIVATION_BUDGET / perToken),
    Math.floor(limits.maxStorageBufferBindingSize / widest),
    Math.floor(limits.maxComputeWorkgroupsPerDimension / hp.nExpertUsed),
    MAX_BATCH,
    hp.contextLength,
  );
  return Math.max(1, n >= 64 ? n - (n % 64) : n);
}

/** What a plan is made from. */
export interface MemoryPlanInput {
  /** the model's shape: what its KV cache takes a token, and its own context */
  hp: Pick<DeepSeek2Hparams, 'kvLoraRank' | 'qkRope' | 'nLayer' | 'contextLength'>;
  /** bytes of the weights that always stay on the GPU (the dense tensors) */
  denseBytes: number;
  /** bytes of all routed experts */
  expertBytes: number;
  /** what the device check measured; undefined when it was not asked (a load with an expert budget) */
  gpu: GpuMemoryReport | undefined;
  kvType: KvType;
  /** the GPU's largest binding: one layer's KV cache is one buffer */
  maxBinding: number;
  /** what the load asks for; a context beyond what fits is cut to what fits */
  requested?: { contextLength?: number; expertBudgetBytes?: number | null };
}

/** How a load uses the GPU. */
export interface MemoryPlan {
  /** bytes for the routed experts' cache; null keeps them all resident */
  expertBudgetBytes: number | null;
  /** positions the KV cache holds: the longest conversation this device takes */
  contextLength: number;
  kvBytes: number;
}

/**
 * The plan for a load. With a measurement that ran out of memory (or reached the probe's target, whose
 * bytes it then counts), what is left after the dense weights and WORKING_MARGIN goes to the experts
 * and the KV cache: all experts resident when they leave at least KV_RESERVE.resident for the cache
 * (which then takes all the rest), else paged, the cache taking PAGED_KV_SHARE of it (at least
 * KV_RESERVE.paged) and the expert cache the remainder. Without a measurement (a software adapter, or
 * a probe that failed) every expert is resident and the cache gets KV_RESERVE.resident (KV_RESERVE.paged
 * when a budget is requested that pages). A requested expert budget (null: resident) leaves the cache
 * the rest of a measured GPU. The context is never more than the model's,
 * the one requested, or what one layer's cache in one binding holds.
 */
export function planMemory(p: MemoryPlanInput): MemoryPlan {
  const { hp } = p;
  const perToken = kvBytesPerToken(hp, p.kvType);
  const cap = Math.min(
    hp.contextLength,
    p.requested?.contextLength ?? Infinity,
    Math.floor(p.maxBinding / (perToken / hp.nLayer)),
  );
  const fit = (kvBytes: number) => Math.max(1, Math.min(cap, Math.floor(kvBytes / perToken)));
  const requestedBudget = p.requested?.expertBudgetBytes;
  const plan = (expertBudgetBytes: number | null, kvRoom: number): MemoryPlan => {
    const contextLength = fit(kvRoom);
    return { expertBudgetBytes, contextLength, kvBytes: contextLength * perToken };
  };
  if (p.gpu?.kind !== 'measured') {
    const paged = requestedBudget !== undefined && requestedBudget !== null;
    return plan(requestedBudget ?? null, paged ? KV_RESERVE.paged : KV_RESERVE.resident);
  }
  const room = Math.max(0, p.gpu.bytes - p.denseBytes - WORKING_MARGIN);
  if (requestedBudget !== undefined) {
    const experts = requestedBudget === null ? p.expertBytes : Math.min(requestedBudget, p.expertBytes);
    return plan(requestedBudget, Math.max(KV_RESERVE.paged, room - experts));
  }
  if (room - p.expertBytes >= KV_RESERVE.resident) return plan(null, room - p.expertBytes);
  const kv = fit(Math.max(KV_RESERVE.paged, room * PAGED_KV_SHARE)) * perToken;
  return { expertBudgetBytes: Math.max(0, room - kv), contextLength: kv / perToken, kvBytes: kv };
}
