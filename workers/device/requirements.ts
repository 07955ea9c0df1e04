/**
 * What DeepSeek-Coder-V2-Lite asks of a device, as numbers the verdict can compare against.
 *
 * Shape figures come from the model's GGUF metadata (the project's reference): hidden 2048, 27 layers
 * (layer 0 dense, 26 MoE), 64 routed experts of FFN width 1408 per MoE layer with 6 used per token,
 * 2 shared experts, vocabulary 102400. Sizes are in bytes; "GB" in comments means 10^9 bytes, as model
 * hosts and browser storage settings count them.
 */
import { KV_RESERVE, kvBytesPerToken, WORKING_MARGIN } from './memory';

const MiB = 1024 * 1024;

export const HIDDEN_SIZE = 2048;
export const VOCAB_SIZE = 102_400;
export const MOE_LAYERS = 26;
export const ROUTED_EXPERTS_PER_LAYER = 64;
export const EXPERTS_USED_PER_TOKEN = 6;
export const EXPERT_FFN_WIDTH = 1408;
/** All routed experts in the model: 26 x 64 = 1,664. */
export const ROUTED_EXPERTS = MOE_LAYERS * ROUTED_EXPERTS_PER_LAYER;

/** One routed expert is three matrices (gate, up, down) of 2048 x 1408 weights: 8,650,752 weights. */
export const WEIGHTS_PER_EXPERT = 3 * HIDDEN_SIZE * EXPERT_FFN_WIDTH;

/** Q4_0 stores 32 weights in 18 bytes, so one expert is 4,866,048 bytes and all 1,664 are 8.10 GB. */
export const EXPERT_BYTES_Q4_0 = (WEIGHTS_PER_EXPERT / 32) * 18;

/**
 * One expert in the Q4_K_M file. gate and up are Q4_K (144 bytes per 256: 3,244,032 bytes together),
 * but down's rows are 1408 wide, which is not a multiple of 256, so llama.cpp falls back to Q5_0
 * (1,982,464 bytes) or Q8_0 (3,063,808 bytes) for it depending on the layer. Averaged over the layers
 * that comes to about 5.3 MB.
 */
export const EXPERT_BYTES_Q4_K_M = 5_300_000;

/** Size of the DeepSeek-Coder-V2-Lite Q4_K_M GGUF file (10.36 GB): what an import writes to storage. */
export const MODEL_FILE_BYTES = 10_360_000_000;

/**
 * Everything in the Q4_K_M file that is not a routed expert: embeddings, attention, the dense layer 0,
 * the shared experts, norms and the output head. About 620 MB at Q4_0; about 1.2 GB in the Q4_K_M file
 * because embeddings and the output head are kept at higher precision there.
 */
export const NON_EXPERT_BYTES = 1_200_000_000;

/**
 * The largest tensor the runtime binds as one storage buffer: the output head (lm_head), 102400 x 2048
 * weights, which Q4_K_M keeps as Q6_K at 210 bytes per 256 weights: 172,032,000 bytes.
 */
export const Q6_K_BLOCK_WEIGHTS = 256;
export const Q6_K_BLOCK_BYTES = 210;
export const LARGEST_BOUND_TENSOR_BYTES = ((VOCAB_SIZE * HIDDEN_SIZE) / Q6_K_BLOCK_WEIGHTS) * Q6_K_BLOCK_BYTES;

/**
 * Room beyond the weights when everything is resident (memory.ts): the KV reserve (768 MiB, a context
 * of about 12,900 tokens) and the working margin (256 MiB): 1 GiB.
 */
export const RESIDENT_WORKING_MARGIN = KV_RESERVE.resident + WORKING_MARGIN;

/** GPU memory for "all experts stay on the GPU": every weight in the file plus that room. */
export const RESIDENT_GPU_BYTES = MODEL_FILE_BYTES + RESIDENT_WORKING_MARGIN;

/**
 * The smallest expert cache paged mode can work with: the experts one token uses in two layers
 * (6 per layer), so the next layer's experts can load while the current layer computes.
 */
export const MIN_CACHED_EXPERT_LAYERS = 2;
export const MIN_EXPERT_CACHE_BYTES = MIN_CACHED_EXPERT_LAYERS * EXPERTS_USED_PER_TOKEN * EXPERT_BYTES_Q4_K_M;

/** GPU memory for "experts are paged from storage" (memory.ts): non-expert weights, a minimal expert
 * cache, the paged KV reserve (256 MiB, about 4,300 tokens) and the working margin. */
export const PAGED_GPU_BYTES = NON_EXPERT_BYTES + MIN_EXPERT_CACHE_BYTES + KV_RESERVE.paged + WORKING_MARGIN;

/** The GPU memory probe allocates in chunks of this size (or maxBufferSize, if that is smaller). */
export const GPU_PROBE_CHUNK_BYTES = 256 * MiB;

/** What the model's KV cache depends on (kv_lora_rank 512, rope 64, 27 layers) and its own context. */
export const KV_SHAPE = { kvLoraRank: 512, qkRope: 64, nLayer: 27, contextLength: 163_840 } as const;

/**
 * The GPU memory probe allocates up to this much: every weight, the model's whole context in an f16
 * KV cache (163,840 x 31,104 bytes = 5.1 GB) and the working margin, so that the memory model knows
 * whether the whole context fits (memory.ts, planMemory).
 */
export const PROBE_TARGET_BYTES =
  MODEL_FILE_BYTES + KV_SHAPE.contextLength * kvBytesPerToken(KV_SHAPE, 'F16') + WORKING_MARGIN;
