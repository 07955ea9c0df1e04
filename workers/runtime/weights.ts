/**
 * Dense weights: store records → GPU buffers, one buffer per tensor, chunks written at their row
 * offsets. Also builds W_UK for legacy files, whose attn_kv_b holds it transposed.
 */
import { dequantStoredRows } from '../gguf/dequant';
import { ggmlTypeByName } from '../gguf/ggml-types';
import { getRecord } from '../store/db';
import { denseKey, keyString } from '../store/keys';
import type { DenseTensor, ModelManifest } from '../store/types';

/** A weight tensor on the GPU, in the stored row layout. */
export interface GpuTensor {
  readonly name: string;
  readonly buffer: GPUBuffer;
  /** ggml type name, which picks the kernels' decoder */
  readonly type: string;
  readonly rowWeights: number;
  readonly nRows: number;
  readonly rowWords: number;
}

export class StoreReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreReadError';
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
    const rec = await getRecord(key).catch((e: Error) => { throw new StoreReadError(`Reading ${keyString(key)} from the store failed: ${e.message}`); });
    if (!rec) throw new StoreReadError(`The stored model is incomplete: record ${keyString(key)} is missing. Verify or import it again.`);
    yield [c * t.rowsPerChunk * t.rowStride, rec.data];
  }
}

async function readDenseBytes(m: ModelManifest, t: DenseTensor): Promise<Uint8Array> {
  const out = new Uint8Array(t.nRows * t.rowStride);
  for await (const [offset, data] of chunks(m, t)) out.set(new Uint8Array(data), offset);
  return out;
}

function createStorage(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label });
}

export async function uploadTensor(device: GPUDevice, m: ModelManifest, name: string): Promise<GpuTensor> {
  const t = tensorInfo(m, name);
  const buffer = createStorage(device, t.nRows * t.rowStride, name);
  for await (const [offset, data] of chunks(m, t)) device.queue.writeBuffer(buffer, offset, data);
  return { name, buffer, type: t.type, rowWeights: t.rowWeights, nRows: t.nRows, rowWords: t.rowStride / 4 };
}

/**
 * W_UK for a legacy layer, as attn_k_b would hold it: head h, latent j is a row of qk_nope weights.
 * attn_kv_b has it transposed (rows h*(nope+v) + i of kv_lora weights), so it is dequantized and
 * transposed once, into F32: exact, and 4 MB per layer for the real model.
 */
export async function legacyKeyAbsorb(device: GPUDevice, m: ModelManifest, layer: number): Promise<GpuTensor> {
  const name = `blk.${layer}.attn_kv_b.weight`;
  const t = tensorInfo(m, name);
  const { nHead: H, qkNope: nope, vHead: v, kvLoraRank: R } = m.hparams;
  const kvb = dequantStoredRows(ggmlTypeByName(t.type), await readDenseBytes(m, t), t.rowWeights, t.nRows, t.rowStride);
  const wuk = new Float32Array(H * R * nope);
  for (let h = 0; h < H; h++) for (let i = 0; i < nope; i++) for (let j = 0; j < R; j++) {
    wuk[(h * R + j) * nope + i] = kvb[(h * (nope + v) + i) * R + j]!;
  }
  const buffer = createStorage(device, wuk.byteLength, `${name} (W_UK)`);
  device.queue.writeBuffer(buffer, 0, wuk);
  return { name: `${name} (W_UK)`, buffer, type: 'F32', rowWeights: nope, nRows: H * R, rowWords: nope };
}
