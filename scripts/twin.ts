/**
 * A full-size twin of the real DeepSeek-Coder-V2-Lite-Instruct GGUF file: the metadata and tensor
 * table of the public Q4_K_M file (or the Q4_0 one), with seeded random weights of sane scales, for
 * testing the store, the loader, the expert cache and the runtime at the real model's scale.
 *
 *   npm run twin -- --out <file.gguf> [--type Q4_K_M|Q4_0] [--seed 1] [--reduced]
 *
 * What it copies from the real file (docs: /work/shared/reference, the project's model facts):
 * - the legacy attention layout (attn_kv_b, head_count_kv 16, key_length 192, value_length 128) of the
 *   widely downloaded Q4_K_M files, made before llama.cpp's MLA conversion;
 * - 27 layers (layer 0 dense, 1-26 MoE: 64 routed experts of 1408, 6 used, 2 shared), hidden 2048,
 *   16 heads, kv_lora 512, rope 64, YaRN factor 40 over 4,096, a context of 163,840;
 * - every tensor's name, shape and type. Q4_K_M, as llama.cpp's quantizer types it: Q4_K where rows
 *   are whole 256-blocks, Q6_K for the head and for ffn_down where it spends more bits
 *   (use_more_bits over the 53 ffn_down tensors), those two falling back to Q5_0 and Q8_0 for rows
 *   of 1408 and 10944; norms and routers F32: 229 Q4_K, 14 Q5_0, 13 Q8_0, 13 Q6_K, 108 F32.
 *   Q4_0: every matrix Q4_0 but the Q6_K head;
 * - the vocabulary and merges: the 102,400-token deepseek-llm vocabulary of
 *   tests/fixtures/tokenizer/ggml-vocab-deepseek-llm.gguf (Coder-V2-Lite's own adds FIM tokens, which
 *   that fixture lacks), BOS 100000, EOS 100001.
 *
 * The file is written tensor by tensor with the project's GGUF writer (the header) and positioned
 * writes (the data): memory holds one tensor at most (the 172 MB Q6_K head), never the file.
 * `--reduced` writes the same table at a reduced scale (hidden 256, 3 layers, 8 experts of 352, the
 * fixtures' 512-token vocabulary): the shape the test suite runs through the same code.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedTensors, readDeepSeek2, type DeepSeek2Hparams } from '../workers/gguf/deepseek2';
import { F32, Q4_0, Q4_K, Q5_0, Q6_K, Q8_0, type GgmlType } from '../workers/gguf/ggml-types';
import { DEEPSEEK_CODER_V2_LITE } from '../workers/gguf/lite-shape';
import { parseGgufHeader } from '../workers/gguf/parse';
import { entriesFromMetadata, type MetaEntry } from '../workers/gguf/write';
import { rng } from '../tests/support/random-tensors';
import { fail, parseArgs, readHeaderFromFile } from './gguf-file';
import { ALIGNMENT, fileBytes, header, tensorData } from './synthetic-model';

export type TwinType = 'Q4_K_M' | 'Q4_0';
export const TWIN_TYPES: readonly TwinType[] = ['Q4_K_M', 'Q4_0'];

/** DeepSeek-Coder-V2-Lite-Instruct's shape, as its legacy-layout GGUF files give it. */
export const LITE_LEGACY: DeepSeek2Hparams = { ...DEEPSEEK_CODER_V2_LITE, attentionLayout: 'legacy' };

/**
 * The reduced twin: the same structure at a size the test suite can run (rows of 352 and 672 are no
 * whole 256-blocks, as the real 1408 and 10944 are not, so the same fallbacks apply).
 */
export const LITE_REDUCED: DeepSeek2Hparams = {
  ...LITE_LEGACY,
  nLayer: 3,
  nEmbd: 256,
  nVocab: 512,
  nHead: 4,
  ffnDense: 672,
  nExpert: 8,
  ffnExpert: 352,
  kvLoraRank: 256,
  qkNope: 32,
  qkRope: 16,
  vHead: 32,
};

const FULL_VOCAB = new URL('../tests/fixtures/tokenizer/ggml-vocab-deepseek-llm.gguf', import.meta.url);
const SMALL_VOCAB = new URL('../tests/fixtures/models/ds2-pub-f32.gguf', import.meta.url);

/** The tokenizer.* metadata of the vocabulary fixture that has `vocab` tokens. */
function tokenizerMetadata(vocab: number): [string, MetaEntry][] {
  const src = readFileSync(vocab === 102400 ? FULL_VOCAB : SMALL_VOCAB);
  const entries = entriesFromMetadata(parseGgufHeader(src, src.byteLength).metadata).filter(([k]) =>
    k.startsWith('tokenizer.'),
  );
  const tokens = entries.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1];
  if (!tokens || tokens.kind !== 'array' || tokens.value.length !== vocab)
    throw new Error(`the vocabulary fixture does not have ${vocab} tokens`);
  return entries;
}

/** The metadata of the real legacy-layout file (llama.cpp's converter before MLA), for `hp`. */
export function twinMetadata(hp: DeepSeek2Hparams, type: TwinType): [string, MetaEntry][] {
  const u32 = (value: number): MetaEntry => ({ kind: 'u32', value });
  const f32 = (value: number): MetaEntry => ({ kind: 'f32', value });
  const str = (value: string): MetaEntry => ({ kind: 'string', value });
  const a = 'deepseek2';
  return [
    ['general.architecture', str(a)],
    ['general.name', str('DeepSeek-Coder-V2-Lite-Instruct')],
    [`${a}.block_count`, u32(hp.nLayer)],
    [`${a}.context_length`, u32(hp.contextLength)],
    [`${a}.embedding_length`, u32(hp.nEmbd)],
    [`${a}.feed_forward_length`, u32(hp.ffnDense)],
    [`${a}.attention.head_count`, u32(hp.nHead)],
    [`${a}.attention.head_count_kv`, u32(hp.nHead)],
    [`${a}.rope.freq_base`, f32(hp.rope.base)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(hp.rmsEps)],
    [`${a}.expert_used_count`, u32(hp.nExpertUsed)],
    ['general.file_type', u32(type === 'Q4_0' ? 2 : 15)], // LLAMA_FTYPE_MOSTLY_Q4_0 / _Q4_K_M
    [`${a}.leading_dense_block_count`, u32(hp.nLeadingDense)],
    [`${a}.vocab_size`, u32(hp.nVocab)],
    [`${a}.attention.kv_lora_rank`, u32(hp.kvLoraRank)],
    [`${a}.attention.key_length`, u32(hp.qkNope + hp.qkRope)],
    [`${a}.attention.value_length`, u32(hp.vHead)],
    [`${a}.expert_feed_forward_length`, u32(hp.ffnExpert)],
    [`${a}.expert_count`, u32(hp.nExpert)],
    [`${a}.expert_shared_count`, u32(hp.nExpertShared)],
    [`${a}.expert_weights_scale`, f32(hp.expertWeightsScale)],
    [`${a}.rope.dimension_count`, u32(hp.qkRope)],
    [`${a}.rope.scaling.type`, str('yarn')],
    [`${a}.rope.scaling.factor`, f32(hp.rope.factor)],
    [`${a}.rope.scaling.original_context_length`, u32(hp.rope.originalContext)],
    [`${a}.rope.scaling.yarn_log_multiplier`, f32(hp.rope.yarnLogMultiplier)],
    ...tokenizerMetadata(hp.nVocab),
    ['general.quantization_version', u32(2)],
  ];
}

/** llama.cpp's use_more_bits(i_layer, n_layers) (src/llama-quant.cpp). */
function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/** A K-quant falls back to this type where a row is no whole 256-block (llama.cpp's fallbacks). */
function fallback(t: GgmlType): GgmlType {
  return t === Q6_K ? Q8_0 : t === Q4_K ? Q5_0 : t;
}

/**
 * The type llama.cpp's quantizer gives tensor `name` of shape `ne` in a `type` file: norms and
 * routers F32; the head Q6_K; Q4_K_M's ffn_down Q6_K in the layers use_more_bits picks (counting the
 * ffn_down tensors, 53 in the real file: layer 0's and each MoE layer's routed and shared ones, with
 * MoE files naming the layer), else Q4_K; a K-quant with rows that are no whole 256-block its fallback.
 */
export function twinTensorType(name: string, ne: readonly number[], hp: DeepSeek2Hparams, type: TwinType): GgmlType {
  if (ne.length === 1 || name.endsWith('ffn_gate_inp.weight')) return F32;
  let t: GgmlType;
  if (name === 'output.weight') t = Q6_K;
  else if (type === 'Q4_0') t = Q4_0;
  else if (name.includes('ffn_down')) {
    const nFfnDown = hp.nLeadingDense + (hp.nLayer - hp.nLeadingDense) * (hp.nExpertShared > 0 ? 2 : 1);
    t = useMoreBits(Number(/^blk\.(\d+)\./.exec(name)![1]), nFfnDown) ? Q6_K : Q4_K;
  } else t = Q4_K;
  return ne[0]! % t.blockWeights === 0 ? t : fallback(t);
}

/** One tensor of the twin: name, shape, type, and where its data starts in the data section. */
export interface TwinTensor {
  name: string;
  ne: readonly number[];
  type: GgmlType;
  offset: number;
  bytes: number;
}

/** The twin's tensor table in llama.cpp's order (the embedding, the blocks, the output), and the data section's size. */
export function twinTable(hp: DeepSeek2Hparams, type: TwinType): { tensors: TwinTensor[]; dataBytes: number } {
  const expected = expectedTensors(hp);
  const ordered = [
    ...expected.filter(([n]) => n === 'token_embd.weight'),
    ...expected.filter(([n]) => n.startsWith('blk.')),
    ...expected.filter(([n]) => n.startsWith('output')),
  ];
  let next = 0;
  const tensors = ordered.map(([name, ne]): TwinTensor => {
    const t = twinTensorType(name, ne, hp, type);
    const bytes = fileBytes(t, ne);
    const offset = next;
    next = Math.ceil((next + bytes) / ALIGNMENT) * ALIGNMENT;
    return { name, ne, type: t, offset, bytes };
  });
  return { tensors, dataBytes: next };
}

/** Tensors per ggml type name. */
export function typeCounts(tensors: readonly { type: GgmlType }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tensors) out[t.type.name] = (out[t.type.name] ?? 0) + 1;
  return out;
}

export interface TwinOptions {
  out: string;
  type?: TwinType;
  seed?: number;
  /** the reduced twin (LITE_REDUCED) instead of the full-size one */
  reduced?: boolean;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** Writes the twin to `o.out`, streaming, then reads its header back as the importer will. */
export async function writeTwin(
  o: TwinOptions,
): Promise<{ path: string; bytes: number; hparams: DeepSeek2Hparams; typeCounts: Record<string, number> }> {
  const type = o.type ?? 'Q4_K_M';
  const hp = o.reduced ? LITE_REDUCED : LITE_LEGACY;
  const meta = twinMetadata(hp, type);
  const { tensors, dataBytes } = twinTable(hp, type);
  const head = header(
    meta,
    tensors.map((t) => ({ name: t.name, typeId: t.type.id, ne: t.ne })),
    tensors.map((t) => t.offset),
  );
  const total = head.byteLength + dataBytes;
  const fd = openSync(o.out, 'w');
  try {
    writeSync(fd, head);
    const rand = rng(o.seed ?? 1);
    let done = head.byteLength;
    for (const t of tensors) {
      // the embedding's rows are of unit size (a token's vector); other matrices keep sizes
      const data = tensorData(t.type, t.ne, rand, t.name === 'token_embd.weight' ? 1 : undefined);
      writeSync(fd, data, 0, data.byteLength, head.byteLength + t.offset);
      done += data.byteLength;
      o.onProgress?.(done, total);
    }
    const last = tensors.at(-1)!;
    const pad = dataBytes - last.offset - last.bytes;
    if (pad > 0) writeSync(fd, new Uint8Array(pad), 0, pad, head.byteLength + last.offset + last.bytes);
  } finally {
    closeSync(fd);
  }
  const parsed = await readHeaderFromFile(o.out);
  const read = readDeepSeek2(parsed);
  if (parsed.fileSize !== total) throw new Error(`twin: wrote ${parsed.fileSize} bytes, expected ${total}`);
  if (read.attentionLayout !== 'legacy' || read.nLayer !== hp.nLayer)
    throw new Error('twin: the file does not read back as written');
  return { path: o.out, bytes: total, hparams: hp, typeCounts: typeCounts(tensors) };
}

async function main() {
  let args: Map<string, string>;
  try {
    args = parseArgs(process.argv.slice(2), ['reduced']);
  } catch (e) {
    fail((e as Error).message);
  }
  const out = args.get('out');
  const type = (args.get('type') ?? 'Q4_K_M').toUpperCase() as TwinType;
  const seed = Number(args.get('seed') ?? 1);
  if (!out || !TWIN_TYPES.includes(type) || !Number.isInteger(seed))
    fail('usage: npm run twin -- --out <file.gguf> [--type Q4_K_M|Q4_0] [--seed 1] [--reduced]');
  try {
    const t0 = performance.now();
    let shown = -1;
    const m = await writeTwin({
      out,
      type,
      seed,
      reduced: args.has('reduced'),
      onProgress: (d, total) => {
        const p = Math.floor((20 * d) / total) * 5;
        if (p !== shown) {
          shown = p;
          process.stderr.write(`  writing: ${p}%\n`);
        }
      },
    });
    const types = Object.entries(m.typeCounts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    const s = (performance.now() - t0) / 1000;
    process.stdout.write(
      `${m.path}: ${(m.bytes / 1e9).toFixed(2)} GB, ${m.hparams.nLayer} layers, ${types}; written in ${s.toFixed(0)} s (${(m.bytes / 1e6 / s).toFixed(0)} MB/s)\n`,
    );
  } catch (e) {
    fail((e as Error).message);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) void main();
