/**
 * A synthetic `deepseek2` GGUF with DeepSeek-Coder-V2-Lite's real layer shapes and random weights, for
 * npm run bench: hidden 2048, 16 heads (no q LoRA, kv LoRA 512, qk 128 + 64 rope, v 128), a dense
 * FFN of 10944 in layer 0 and MoE layers after it (64 routed experts of 1408, 6 used, 2 shared), the
 * current MLA layout (attn_k_b / attn_v_b), YaRN as in the real file. Only the vocabulary is small:
 * the 512-token tokenizer of the tiny fixtures, so the embedding and output head are 512 rows.
 *
 *   tsx scripts/synthetic-model.ts --out <file.gguf> [--layers 2] [--quant q4_0|q4_k_m] [--seed 1]
 *
 * Tensor types: q4_0, every matrix Q4_0 (the layout of the real Q4_0 file); q4_k_m, a Q4_K_M-like mix:
 * Q4_K where rows are a multiple of 256, else Q5_0 (Q8_0 for ffn_down where llama.cpp's Q4_K_M spends
 * more bits), and Q6_K for the head and the embedding. Norms and the router are F32 in both.
 *
 * The header is built with the project's GGUF writer; tensors are generated and written one at a time,
 * so memory holds one tensor (at most one layer's expert tensor, about 100 MB), never the file.
 * Weights are scaled so every projection keeps activations near unit size (finite logits), and the
 * head is the embedding permuted, so that greedy decoding moves on to a new token at every step
 * (headFromEmbedding).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedTensors, readDeepSeek2, type DeepSeek2Hparams } from '../workers/gguf/deepseek2';
import { dequantFileRows } from '../workers/gguf/dequant';
import { F32, Q4_0, Q4_K, Q5_0, Q6_K, Q8_0, type GgmlType } from '../workers/gguf/ggml-types';
import { DEEPSEEK_CODER_V2_LITE } from '../workers/gguf/lite-shape';
import { parseGgufHeader } from '../workers/gguf/parse';
import { entriesFromMetadata, writeGguf, type MetaEntry, type TensorToWrite } from '../workers/gguf/write';
import { randomTensorBytes, rng } from '../tests/support/random-tensors';
import { fail, parseArgs, readHeaderFromFile } from './gguf-file';

export type SyntheticQuant = 'q4_0' | 'q4_k_m';
export const SYNTHETIC_QUANTS: readonly SyntheticQuant[] = ['q4_0', 'q4_k_m'];

export interface SyntheticOptions {
  out: string;
  /** transformer blocks: layer 0 dense, the rest MoE (default 2) */
  layers?: number;
  quant?: SyntheticQuant;
  seed?: number;
  /**
   * every MoE layer's matrices (attention, routed and shared experts) are the first MoE layer's bytes;
   * each layer keeps its own router and norms, so routing still differs layer by layer: the same shapes
   * and bytes per token, written in the time of two layers (scripts/gpu-bench.sh's 27 layers)
   */
  shareLayers?: boolean;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface SyntheticModel {
  path: string;
  bytes: number;
  hparams: DeepSeek2Hparams;
  /** tensor count per ggml type */
  typeCounts: Record<string, number>;
  /** the output head's type (the real model's head has 102400 of its rows) */
  headType: GgmlType;
}

export const ALIGNMENT = 32;
const TOKENIZER_SOURCE = new URL('../tests/fixtures/models/ds2-pub-f32.gguf', import.meta.url);
const VOCAB = 512;

/** DeepSeek-Coder-V2-Lite's shapes (its config.json and GGUF metadata), `layers` blocks deep. */
function liteHparams(layers: number): DeepSeek2Hparams {
  return { ...DEEPSEEK_CODER_V2_LITE, nLayer: layers, nVocab: VOCAB };
}

/** The metadata llama.cpp's converter writes for a deepseek2 file (same keys as the fixtures'). */
function metadata(hp: DeepSeek2Hparams, quant: SyntheticQuant): [string, MetaEntry][] {
  const u32 = (value: number): MetaEntry => ({ kind: 'u32', value });
  const f32 = (value: number): MetaEntry => ({ kind: 'f32', value });
  const str = (value: string): MetaEntry => ({ kind: 'string', value });
  const a = 'deepseek2';
  const src = readFileSync(TOKENIZER_SOURCE);
  // the source's own GGUF types (llama.cpp reads token types only as an INT32 array)
  const srcHeader = parseGgufHeader(src, src.byteLength);
  const tokenizer = entriesFromMetadata(srcHeader.metadata, srcHeader.metadataTypes).filter(([k]) =>
    k.startsWith('tokenizer.'),
  );
  return [
    ['general.architecture', str(a)],
    ['general.name', str(`synthetic-ds2-lite-${hp.nLayer}L-${quant}`)],
    ['general.file_type', u32(quant === 'q4_0' ? 2 : 15)], // LLAMA_FTYPE_MOSTLY_Q4_0 / _Q4_K_M
    ['general.quantization_version', u32(2)],
    [`${a}.block_count`, u32(hp.nLayer)],
    [`${a}.context_length`, u32(hp.contextLength)],
    [`${a}.embedding_length`, u32(hp.nEmbd)],
    [`${a}.feed_forward_length`, u32(hp.ffnDense)],
    [`${a}.attention.head_count`, u32(hp.nHead)],
    [`${a}.attention.head_count_kv`, u32(1)],
    [`${a}.rope.freq_base`, f32(hp.rope.base)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(hp.rmsEps)],
    [`${a}.expert_count`, u32(hp.nExpert)],
    [`${a}.expert_used_count`, u32(hp.nExpertUsed)],
    [`${a}.expert_gating_func`, u32(1)],
    [`${a}.rope.scaling.type`, str('yarn')],
    [`${a}.rope.scaling.factor`, f32(hp.rope.factor)],
    [`${a}.rope.scaling.original_context_length`, u32(hp.rope.originalContext)],
    [`${a}.rope.scaling.yarn_beta_fast`, f32(hp.rope.betaFast)],
    [`${a}.rope.scaling.yarn_beta_slow`, f32(hp.rope.betaSlow)],
    [`${a}.rope.scaling.yarn_log_multiplier`, f32(hp.rope.yarnLogMultiplier)],
    [`${a}.leading_dense_block_count`, u32(hp.nLeadingDense)],
    [`${a}.vocab_size`, u32(hp.nVocab)],
    [`${a}.attention.q_lora_rank`, u32(0)],
    [`${a}.attention.kv_lora_rank`, u32(hp.kvLoraRank)],
    // MLA-converted files: the cache row (latent + rope) as "key", the latent as "value" ...
    [`${a}.attention.key_length`, u32(hp.kvLoraRank + hp.qkRope)],
    [`${a}.attention.value_length`, u32(hp.kvLoraRank)],
    // ... and the per-head sizes under the _mla names
    [`${a}.attention.key_length_mla`, u32(hp.qkNope + hp.qkRope)],
    [`${a}.attention.value_length_mla`, u32(hp.vHead)],
    [`${a}.expert_feed_forward_length`, u32(hp.ffnExpert)],
    [`${a}.expert_shared_count`, u32(hp.nExpertShared)],
    [`${a}.expert_weights_scale`, f32(hp.expertWeightsScale)],
    [`${a}.rope.dimension_count`, u32(hp.qkRope)],
    ...tokenizer,
  ];
}

/** llama.cpp's use_more_bits(i_layer, n_layers): where Q4_K_M spends more bits on ffn_down. */
function moreBits(layer: number, nLayer: number): boolean {
  const eighth = Math.floor(nLayer / 8);
  return layer < eighth || layer >= Math.floor((7 * nLayer) / 8) || (layer - eighth) % 3 === 2;
}

/** The ggml type of a tensor: norms and the router F32; matrices per the quantization. */
function tensorType(name: string, ne: readonly number[], hp: DeepSeek2Hparams, quant: SyntheticQuant): GgmlType {
  if (ne.length === 1 || name.endsWith('ffn_gate_inp.weight')) return F32;
  if (quant === 'q4_0') return Q4_0;
  // the head is the embedding permuted (see headFromEmbedding), so both are Q6_K
  if (name === 'output.weight' || name === 'token_embd.weight') return Q6_K;
  if (ne[0]! % 256 === 0) return Q4_K;
  // rows that K-quants cannot hold: Q8_0 where Q4_K_M would use more bits on ffn_down, else Q5_0
  const layer = Number(/^blk\.(\d+)\./.exec(name)?.[1] ?? -1);
  return /ffn_down/.test(name) && moreBits(layer, hp.nLayer) ? Q8_0 : Q5_0;
}

/**
 * randomTensorBytes' weights are not centred: offset-binary quants (q - 8 in Q4_0, q - 16 in Q5_0, ...)
 * average half a step below zero, and Q4_K's mins pull its weights far above zero. Trained weights
 * are centred. Uncentred ones add a common offset to every output of every projection, which grows
 * layer after layer in the all-ones direction until it alone decides the logits (one token, for ever).
 * Here each block is made symmetric about zero: the lowest quant (-8, -16, -128) becomes 0; Q4_K gets
 * sub-block scales S in {2, 4, 6, 8} with mins 7.5·S and dmin = d (weights d·S·(q - 7.5)); Q6_K gets
 * int8 sub-block scales of ±1 to ±3. Keeping the K-quants' sub-block scales small also keeps their f16
 * block scales in f16's normal range (at full range they flush to zero: a Q6_K head of all zeros).
 */
function centre(type: GgmlType, bytes: Uint8Array, rand: () => number): Uint8Array {
  const B = type.blockBytes;
  for (let b = 0; b < bytes.byteLength; b += B) {
    if (type === Q4_0) {
      for (let i = b + 2; i < b + 18; i++) {
        const lo = bytes[i]! & 0xf,
          hi = bytes[i]! >> 4;
        bytes[i] = (lo || 8) | ((hi || 8) << 4);
      }
    } else if (type === Q5_0) {
      let qh = (bytes[b + 2]! | (bytes[b + 3]! << 8) | (bytes[b + 4]! << 16) | (bytes[b + 5]! << 24)) >>> 0;
      for (let j = 0; j < 16; j++) {
        const q = bytes[b + 6 + j]!;
        if ((q & 0xf) === 0) qh |= 1 << j; // q 0 (-16) becomes 16 (0)
        if (q >> 4 === 0) qh |= 1 << (j + 16);
      }
      qh >>>= 0;
      for (let k = 0; k < 4; k++) bytes[b + 2 + k] = (qh >>> (8 * k)) & 0xff;
    } else if (type === Q8_0) {
      for (let i = b + 2; i < b + 34; i++) if (bytes[i] === 0x80) bytes[i] = 0;
    } else if (type === Q4_K) {
      const S = 2 * (1 + Math.floor(rand() * 4));
      const M = 7.5 * S;
      // the 6-bit packing of eight (scale, min) pairs, all (S, M) (ggml's get_scale_min_k4)
      for (let j = 0; j < 4; j++) {
        bytes[b + 4 + j] = (S & 63) | ((S >> 4) << 6);
        bytes[b + 8 + j] = (M & 63) | ((M >> 4) << 6);
        bytes[b + 12 + j] = (S & 0xf) | ((M & 0xf) << 4);
      }
      bytes[b + 2] = bytes[b]!; // dmin = d
      bytes[b + 3] = bytes[b + 1]!;
    } else if (type === Q6_K) {
      for (let i = 0; i < 16; i++) {
        const v = (1 + Math.floor(rand() * 3)) * (rand() < 0.5 ? -1 : 1);
        bytes[b + 192 + i] = v & 0xff;
      }
    }
  }
  return bytes;
}

/** The smallest scale randomTensorBytes takes without f16 fields below the normal range (2^-14). */
function minScale(type: GgmlType): number {
  return type === F32 ? 0 : (2 ** -14 / 0.2) * 1.01; // its f16 fields are (0.2 + u)·scale
}

function randomWeights(type: GgmlType, k: number, rows: number, rand: () => number, scale: number): Uint8Array {
  return centre(type, randomTensorBytes(type, k, rows, rand, scale), rand);
}

const rms1 = new Map<string, number>();
/** RMS of a weight of `type` that randomWeights makes at scale 1 (weights are linear in the scale). */
function unitRms(type: GgmlType): number {
  let v = rms1.get(type.name);
  if (v === undefined) {
    const k = Math.max(256, type.blockWeights);
    const w = dequantFileRows(type, randomWeights(type, k, 64, rng(12345), 1), k, 64);
    v = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    rms1.set(type.name, v);
  }
  return v;
}

/** Bytes of a tensor in the file. */
export function fileBytes(type: GgmlType, ne: readonly number[]): number {
  const rows = ne.slice(1).reduce((a, b) => a * b, 1);
  return (ne[0]! / type.blockWeights) * type.blockBytes * rows;
}

/**
 * Seeded random data of a tensor of `type` and shape `ne` in GGUF file layout: norm gains near 1, and
 * matrices whose rows keep a unit-size input near unit size (RMS `rowRms`, default 1/sqrt(K)).
 */
export function tensorData(type: GgmlType, ne: readonly number[], rand: () => number, rowRms?: number): Uint8Array {
  const K = ne[0]!;
  const rows = ne.slice(1).reduce((a, b) => a * b, 1);
  if (ne.length === 1) {
    // RMS-norm gains: near 1, as trained models have them
    const g = new Float32Array(K);
    for (let i = 0; i < K; i++) g[i] = 1 + 0.1 * (rand() * 2 - 1);
    return new Uint8Array(g.buffer);
  }
  // A row of K weights of RMS 1/sqrt(K) keeps a unit-size input at unit size. randomTensorBytes makes
  // F32 values uniform in ±10·scale (RMS 10·scale/√3); quantized ones scale with their f16 fields.
  const target = rowRms ?? 1 / Math.sqrt(K);
  const scale = type === F32 ? (target * Math.sqrt(3)) / 10 : Math.max(minScale(type), target / unitRms(type));
  return randomWeights(type, K, rows, rand, scale);
}

/** The token after `t` in greedy decoding: a full-period linear congruential permutation of 0..V-1. */
export function nextToken(t: number, vocab: number): number {
  return (5 * t + 1) % vocab; // full period for a power-of-two V (Hull–Dobell: c odd, a - 1 divisible by 4)
}

/**
 * Greedy decoding of random weights repeats one token for ever, so every decode step routes to the same
 * experts and a paged expert cache always hits. Instead, the head's row nextToken(t) is the embedding of
 * t: with embeddings of unit-size elements the residual stream stays dominated by the current token's
 * embedding, whose dot product with its own row beats every other row's, and greedy decoding walks
 * through the whole vocabulary, routing differently at every step.
 */
function headFromEmbedding(embedding: Uint8Array, type: GgmlType, ne: readonly number[]): Uint8Array {
  const rowBytes = (ne[0]! / type.blockWeights) * type.blockBytes;
  const vocab = ne[1]!;
  const head = new Uint8Array(embedding.byteLength);
  for (let t = 0; t < vocab; t++)
    head.set(embedding.subarray(t * rowBytes, (t + 1) * rowBytes), nextToken(t, vocab) * rowBytes);
  return head;
}

/** The header (metadata and tensor table) with the data offsets filled in, padded to the alignment. */
export function header(
  meta: [string, MetaEntry][],
  table: readonly { name: string; typeId: number; ne: readonly number[] }[],
  offsets: readonly number[],
): Uint8Array {
  // With empty data and alignment 1 the writer emits exactly the header; offsets are then patched in
  // (the table's layout does not depend on their values).
  const empty = new Uint8Array(0);
  const raw = writeGguf(
    meta,
    table.map((t): TensorToWrite => ({ ...t, data: empty, offsetOverride: 0 })),
    1,
  );
  let pos = writeGguf(meta, [], 1).byteLength; // the tensor table starts where the metadata ends
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  table.forEach((t, i) => {
    pos += 8 + new TextEncoder().encode(t.name).byteLength + 4 + 8 * t.ne.length + 4;
    view.setBigUint64(pos, BigInt(offsets[i]!), true);
    pos += 8;
  });
  if (pos !== raw.byteLength) throw new Error('synthetic-model: tensor table layout mismatch');
  const out = new Uint8Array(Math.ceil(raw.byteLength / ALIGNMENT) * ALIGNMENT);
  out.set(raw);
  return out;
}

export async function writeSyntheticModel(o: SyntheticOptions): Promise<SyntheticModel> {
  const layers = o.layers ?? 2;
  const quant = o.quant ?? 'q4_0';
  if (!Number.isInteger(layers) || layers < 2)
    throw new Error('--layers must be an integer of at least 2 (layer 0 is dense, the rest MoE)');
  const hp = liteHparams(layers);
  const meta = metadata(hp, quant);
  // llama.cpp's order: the embedding, the blocks, then the output norm and head.
  const expected = expectedTensors(hp);
  const ordered = [
    ...expected.filter(([n]) => n === 'token_embd.weight'),
    ...expected.filter(([n]) => n.startsWith('blk.')),
    ...expected.filter(([n]) => n.startsWith('output')),
  ];
  const table = ordered.map(([name, ne]) => ({ name, ne, type: tensorType(name, ne, hp, quant) }));
  const sizes = table.map((t) => fileBytes(t.type, t.ne));
  const offsets: number[] = [];
  let next = 0;
  for (const s of sizes) {
    offsets.push(next);
    next = Math.ceil((next + s) / ALIGNMENT) * ALIGNMENT;
  }
  const head = header(
    meta,
    table.map((t) => ({ name: t.name, typeId: t.type.id, ne: t.ne })),
    offsets,
  );
  const total = head.byteLength + next;

  const fd = openSync(o.out, 'w');
  try {
    writeSync(fd, head);
    const rand = rng(o.seed ?? 1);
    let done = head.byteLength;
    let embedding: Uint8Array | undefined;
    const shared = new Map<string, Uint8Array>();
    table.forEach((t, i) => {
      // a MoE layer's matrix (not the router): shared by name within the layer and type
      const layer = Number(/^blk\.(\d+)\./.exec(t.name)?.[1] ?? -1);
      const sharable =
        o.shareLayers && layer >= hp.nLeadingDense && t.ne.length > 1 && !t.name.endsWith('ffn_gate_inp.weight');
      const part = sharable ? `${t.name.slice(t.name.indexOf('.', 4) + 1)} ${t.type.name}` : undefined; // Q4_K_M-like files vary ffn_down's type by layer
      const data =
        t.name === 'output.weight' && embedding
          ? headFromEmbedding(embedding, t.type, t.ne)
          : (part && shared.get(part)) ||
            tensorData(t.type, t.ne, rand, t.name === 'token_embd.weight' ? 1 : undefined);
      if (part) shared.set(part, data);
      if (t.name === 'token_embd.weight') embedding = data;
      writeSync(fd, data, 0, data.byteLength, head.byteLength + offsets[i]!);
      done += data.byteLength;
      o.onProgress?.(done, total);
    });
    // the data section's padding after the last tensor
    if (next > offsets.at(-1)! + sizes.at(-1)!)
      writeSync(
        fd,
        new Uint8Array(next - offsets.at(-1)! - sizes.at(-1)!),
        0,
        next - offsets.at(-1)! - sizes.at(-1)!,
        head.byteLength + offsets.at(-1)! + sizes.at(-1)!,
      );
  } finally {
    closeSync(fd);
  }

  // Read it back as the importer will: every tensor present with the shape the metadata implies.
  const parsed = await readHeaderFromFile(o.out);
  readDeepSeek2(parsed);
  if (parsed.fileSize !== total) throw new Error(`synthetic-model: wrote ${parsed.fileSize} bytes, expected ${total}`);
  const typeCounts: Record<string, number> = {};
  for (const t of table) typeCounts[t.type.name] = (typeCounts[t.type.name] ?? 0) + 1;
  return {
    path: o.out,
    bytes: total,
    hparams: hp,
    typeCounts,
    headType: table.find((t) => t.name === 'output.weight')!.type,
  };
}

async function main() {
  let args: Map<string, string>;
  try {
    args = parseArgs(process.argv.slice(2), []);
  } catch (e) {
    fail((e as Error).message);
  }
  const out = args.get('out');
  const quant = (args.get('quant') ?? 'q4_0') as SyntheticQuant;
  const layers = Number(args.get('layers') ?? 2);
  const seed = Number(args.get('seed') ?? 1);
  if (!out || !SYNTHETIC_QUANTS.includes(quant))
    fail('usage: tsx scripts/synthetic-model.ts --out <file.gguf> [--layers 2] [--quant q4_0|q4_k_m] [--seed 1]');
  try {
    let shown = -1;
    const m = await writeSyntheticModel({
      out,
      layers,
      quant,
      seed,
      onProgress: (d, t) => {
        const p = Math.floor((10 * d) / t) * 10;
        if (p !== shown) {
          shown = p;
          process.stderr.write(`  writing: ${p}%\n`);
        }
      },
    });
    const types = Object.entries(m.typeCounts)
      .map(([k, v]) => `${v}×${k}`)
      .join(' ');
    process.stdout.write(`${m.path}: ${(m.bytes / 1e6).toFixed(1)} MB, ${m.hparams.nLayer} layers, ${types}\n`);
  } catch (e) {
    fail((e as Error).message);
  }
}

// Run as a script, not when imported (bench-node's bundle shares one import.meta.url for all modules).
const argv1 = process.argv[1];
if (argv1 && /synthetic-model\.[jt]s$/.test(argv1) && fileURLToPath(import.meta.url) === resolve(argv1)) void main();
