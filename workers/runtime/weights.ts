/**
 * The model's weights on the GPU (llama2.c's TransformerWeights): store records → GPU buffers, one
 * buffer per dense tensor in the stored row layout, named as llama.cpp's deepseek2 graph names them;
 * routed experts live in the expert cache (experts.ts).
 *
 * Both attention layouts of deepseek2 files load to the same tensors: files with `attn_k_b` /
 * `attn_v_b` as they are, and legacy files, whose `attn_kv_b` holds both, converted here (and only
 * here), so the graph has one attention path.
 */
import { dequantStoredRows } from '../gguf/dequant';
import { ggmlTypeByName } from '../gguf/ggml-types';
import { AbortError, StoreReadError } from '../errors';
import { getRecord } from '../store/db';
import { denseKey, keyString } from '../store/keys';
import type { DenseTensor, ModelManifest } from '../store/types';
import { ExpertCache } from './experts';

/** A weight tensor on the GPU, in the stored row layout (workers/store/layout.ts). */
export interface GpuTensor {
  readonly name: string;
  readonly buffer: GPUBuffer;
  /** ggml type name, which picks the kernels' decoder */
  readonly type: string;
  /** weights per row, rows, and u32 words per stored row */
  readonly rowWeights: number;
  readonly nRows: number;
  readonly rowWords: number;
}

/** A SwiGLU feed-forward block: down(silu(gate x) * up x). */
export interface FfnWeights {
  readonly gate: GpuTensor;
  readonly up: GpuTensor;
  readonly down: GpuTensor;
}

/** A mixture-of-experts block: the router, the routed experts (in the expert cache), the shared experts. */
export interface MoeWeights {
  /** router logits over the routed experts, [n_expert][n_embd] */
  readonly ffn_gate_inp: GpuTensor;
  /** the always-used shared experts as one SwiGLU of width ffn_expert * n_shared; absent when none */
  readonly shexp?: FfnWeights;
}

/** One transformer block, with llama.cpp's names (src/models/deepseek2.cpp). */
export interface LayerWeights {
  readonly attn_norm: GpuTensor;
  /** [H * (nope + rope)][n_embd]: queries (Lite has no q LoRA) */
  readonly wq: GpuTensor;
  /** [kv_lora_rank + rope][n_embd]: the compressed KV (kv_cmpr) and the head-shared k_pe */
  readonly wkv_a_mqa: GpuTensor;
  readonly attn_kv_a_norm: GpuTensor;
  /** [H][kv_lora_rank][nope]: per head, absorbs q_nope into the latent space */
  readonly wk_b: GpuTensor;
  /** [H][v_head][kv_lora_rank]: per head, expands the attended latent into values */
  readonly wv_b: GpuTensor;
  /** [n_embd][H * v_head]: the attention output projection (attn_output) */
  readonly wo: GpuTensor;
  readonly ffn_norm: GpuTensor;
  /** a dense SwiGLU (the leading dense layers) or a mixture of experts */
  readonly ffn:
    { readonly kind: 'dense'; readonly dense: FfnWeights } | { readonly kind: 'moe'; readonly moe: MoeWeights };
}

export interface ModelWeights {
  readonly token_embd: GpuTensor;
  readonly layers: readonly LayerWeights[];
  readonly output_norm: GpuTensor;
  readonly output: GpuTensor;
  /** the routed experts of every MoE layer, resident or paged */
  readonly experts: ExpertCache;
  /** every dense tensor's buffer, for destroy() */
  readonly tensors: readonly GpuTensor[];
}

/** How many tensors load at once: enough to overlap IndexedDB reads, few enough to bound memory. */
const PARALLEL_LOADS = 4;

/**
 * Loads every weight of the stored model `m` onto `device`. Routed experts get `expertBudgetBytes`
 * of GPU memory (null: all resident), and when paged a RAM tier of `ramTierBytes` (experts.ts).
 * `onProgress(done, total)` counts tensors and experts.
 * Throws StoreReadError when a record is missing or unreadable, AbortError when `signal` aborts; what
 * was uploaded is then destroyed.
 */
export async function loadWeights(
  device: GPUDevice,
  m: ModelManifest,
  expertBudgetBytes: number | null,
  maxBinding: number,
  onProgress: (done: number, total: number) => void = () => {},
  signal?: AbortSignal,
  ramTierBytes = 0,
): Promise<ModelWeights> {
  const hp = m.hparams;
  const total = m.dense.length + m.experts.length * hp.nExpert;
  let done = 0;
  const tensors: GpuTensor[] = [];
  const loaded = new Map<string, Promise<GpuTensor>>();
  const pool = new Pool(PARALLEL_LOADS);
  let failed = false;
  /** the tensor `name`, uploaded once */
  const W = (name: string): Promise<GpuTensor> => {
    if (failed) return Promise.reject(new Error('the load failed'));
    if (signal?.aborted) return Promise.reject(new AbortError('The load was cancelled.'));
    let t = loaded.get(name);
    if (!t) {
      t = pool.run(async () => {
        const up = await uploadTensor(device, m, name);
        tensors.push(up);
        onProgress(++done, total);
        return up;
      });
      loaded.set(name, t);
    }
    return t;
  };
  const legacy = new Map<number, Promise<{ wk_b: GpuTensor; wv_b: GpuTensor }>>();
  const attentionB = (l: number) => {
    let p = legacy.get(l);
    if (!p) {
      p = pool.run(async () => {
        const both = await legacyAttention(device, m, l);
        tensors.push(both.wk_b, both.wv_b);
        onProgress(++done, total);
        return both;
      });
      legacy.set(l, p);
    }
    return p;
  };
  let experts: ExpertCache | undefined;
  try {
    experts = await ExpertCache.create(device, m, expertBudgetBytes, maxBinding, signal, ramTierBytes);
    done += m.experts.length * hp.nExpert;
    const ffn = async (p: string, suffix: string): Promise<FfnWeights> => ({
      gate: await W(`${p}ffn_gate${suffix}.weight`),
      up: await W(`${p}ffn_up${suffix}.weight`),
      down: await W(`${p}ffn_down${suffix}.weight`),
    });
    const layer = async (l: number): Promise<LayerWeights> => {
      const p = `blk.${l}.`;
      const [wk_b, wv_b] =
        hp.attentionLayout === 'legacy'
          ? await attentionB(l).then((b) => [b.wk_b, b.wv_b])
          : await Promise.all([W(`${p}attn_k_b.weight`), W(`${p}attn_v_b.weight`)]);
      return {
        attn_norm: await W(`${p}attn_norm.weight`),
        wq: await W(`${p}attn_q.weight`),
        wkv_a_mqa: await W(`${p}attn_kv_a_mqa.weight`),
        attn_kv_a_norm: await W(`${p}attn_kv_a_norm.weight`),
        wk_b: wk_b!,
        wv_b: wv_b!,
        wo: await W(`${p}attn_output.weight`),
        ffn_norm: await W(`${p}ffn_norm.weight`),
        ffn:
          l < hp.nLeadingDense
            ? { kind: 'dense', dense: await ffn(p, '') }
            : {
                kind: 'moe',
                moe: {
                  ffn_gate_inp: await W(`${p}ffn_gate_inp.weight`),
                  ...(hp.nExpertShared > 0 ? { shexp: await ffn(p, '_shexp') } : {}),
                },
              },
      };
    };
    const [token_embd, layers, output_norm, output] = await Promise.all([
      W('token_embd.weight'),
      Promise.all(Array.from({ length: hp.nLayer }, (_, l) => layer(l))),
      W('output_norm.weight'),
      W('output.weight'),
    ]);
    return { token_embd, layers, output_norm, output, experts, tensors };
  } catch (e) {
    failed = true;
    await Promise.allSettled([...loaded.values(), ...legacy.values()]);
    for (const t of tensors) t.buffer.destroy();
    experts?.destroy();
    throw e;
  }
}

export function destroyWeights(w: ModelWeights): void {
  for (const t of w.tensors) t.buffer.destroy();
  w.experts.destroy();
}

/** Runs at most `size` tasks at once, in the order they are given. */
class Pool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

function tensorInfo(m: ModelManifest, name: string): DenseTensor {
  const t = m.dense.find((d) => d.name === name);
  if (!t) throw new StoreReadError(`The stored model has no tensor "${name}".`);
  return t;
}

/** The tensor's chunk records in order, each with its byte offset in the tensor. */
async function* chunks(m: ModelManifest, t: DenseTensor): AsyncGenerator<[offset: number, data: ArrayBuffer]> {
  for (let c = 0; c < t.chunks; c++) {
    const key = denseKey(m.id, t.name, c);
    const rec = await getRecord(key).catch((e: Error) => {
      throw new StoreReadError(`Reading ${keyString(key)} from the store failed: ${e.message}`);
    });
    if (!rec)
      throw new StoreReadError(
        `The stored model is incomplete: record ${keyString(key)} is missing. Verify or import it again.`,
      );
    yield [c * t.rowsPerChunk * t.rowStride, rec.data];
  }
}

async function readDenseBytes(m: ModelManifest, t: DenseTensor): Promise<Uint8Array> {
  const out = new Uint8Array(t.nRows * t.rowStride);
  for await (const [offset, data] of chunks(m, t)) out.set(new Uint8Array(data), offset);
  return out;
}

function createStorage(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({
    size: Math.max(16, Math.ceil(bytes / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    label,
  });
}

function gpuTensor(
  device: GPUDevice,
  name: string,
  type: string,
  rowWeights: number,
  nRows: number,
  rowBytes: number,
  data?: BufferSource,
): GpuTensor {
  const buffer = createStorage(device, nRows * rowBytes, name);
  if (data) device.queue.writeBuffer(buffer, 0, data);
  return { name, buffer, type, rowWeights, nRows, rowWords: rowBytes / 4 };
}

/** The stored tensor `name` of `m`, its chunks written at their row offsets. */
export async function uploadTensor(device: GPUDevice, m: ModelManifest, name: string): Promise<GpuTensor> {
  const t = tensorInfo(m, name);
  const out = gpuTensor(device, name, t.type, t.rowWeights, t.nRows, t.rowStride);
  for await (const [offset, data] of chunks(m, t)) device.queue.writeBuffer(out.buffer, offset, data);
  return out;
}

/**
 * wk_b and wv_b of a legacy layer, as attn_k_b and attn_v_b would hold them. attn_kv_b has, per head
 * h, rows h*(nope+v) + i (i < nope: key rows; nope <= i: value rows) of kv_lora_rank weights.
 * - wv_b: the value rows of each head, copied as stored (bit-exact, the file's type).
 * - wk_b: the key rows transposed (head h, latent j: a row of nope weights), which changes the
 *   blocking, so they are dequantized and transposed once, into F32: exact, 4 MB per layer for the
 *   real model.
 */
async function legacyAttention(
  device: GPUDevice,
  m: ModelManifest,
  layer: number,
): Promise<{ wk_b: GpuTensor; wv_b: GpuTensor }> {
  const name = `blk.${layer}.attn_kv_b.weight`;
  const t = tensorInfo(m, name);
  const { nHead: H, qkNope: nope, vHead: v, kvLoraRank: R } = m.hparams;
  const bytes = await readDenseBytes(m, t);
  const kvb = dequantStoredRows(ggmlTypeByName(t.type), bytes, t.rowWeights, t.nRows, t.rowStride);
  const wk = new Float32Array(H * R * nope);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < nope; i++)
      for (let j = 0; j < R; j++) {
        wk[(h * R + j) * nope + i] = kvb[(h * (nope + v) + i) * R + j]!;
      }
  const wv = new Uint8Array(H * v * t.rowStride);
  for (let h = 0; h < H; h++) {
    const from = (h * (nope + v) + nope) * t.rowStride;
    wv.set(bytes.subarray(from, from + v * t.rowStride), h * v * t.rowStride);
  }
  return {
    wk_b: gpuTensor(device, `blk.${layer}.attn_k_b (from attn_kv_b)`, 'F32', nope, H * R, nope * 4, wk),
    wv_b: gpuTensor(device, `blk.${layer}.attn_v_b (from attn_kv_b)`, t.type, R, H * v, t.rowStride, wv),
  };
}
