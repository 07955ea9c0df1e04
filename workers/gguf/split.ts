/**
 * Split GGUF models: the files llama.cpp's gguf-split writes (tools/gguf-split/gguf-split.cpp), each a
 * complete GGUF file with part of the tensors. The first holds all the model's metadata; every file
 * holds `split.no` (u16, its 0-based position), `split.count` (u16, how many files) and
 * `split.tensors.count` (i32, the tensors of all files together). They are named
 * `<prefix>-<no + 1>-of-<count>.gguf`, both numbers written with at least five digits (llama_split_path).
 *
 * Nothing else ties the files of one set together (llama.cpp trusts their names), so what can be
 * checked is checked: the numbering, the counts, and that the tensors found are exactly as many as
 * announced with no name twice. A file of another set with the same tensor names and shapes (another
 * quantization split the same way) cannot be told apart from the right one by its contents.
 */
import { ModelFormatError } from '../errors';
import type { GgufHeader, GgufTensorInfo } from './parse';

/** gguf-split's metadata keys (llama.cpp's LLM_KV_SPLIT_NO, _COUNT, _TENSORS_COUNT). */
export const SPLIT_KEYS = { no: 'split.no', count: 'split.count', tensors: 'split.tensors.count' } as const;

/** What one file says about its place in a split set. */
export interface SplitMeta {
  /** 0-based position of the file in the set */
  readonly no: number;
  /** files in the set */
  readonly count: number;
  /** tensors in all files together */
  readonly tensors: number;
}

/** One file of a split set: a label that names it to the user (its file name or URL) and its header. */
export interface Shard {
  readonly label: string;
  readonly header: GgufHeader;
}

/** A split model as one file: the shards laid end to end. */
export interface CombinedShards {
  /**
   * the first shard's metadata, every shard's tensors with offsets into the shards laid end to end, and
   * their total size as the file size (its dataOffset is the first shard's)
   */
  readonly header: GgufHeader;
  /** where each shard starts in that concatenation (bytes) */
  readonly starts: readonly number[];
  /** the index of the shard that holds each tensor */
  readonly shardOfTensor: ReadonlyMap<string, number>;
}

/** "file 2 of 3 (name)": how messages name a file of a split set ("File 2 …" to start a sentence). */
export function shardLabel(index: number, count: number, label: string, capital = false): string {
  return `${capital ? 'File' : 'file'} ${index + 1} of ${count} (${label})`;
}

const splitError = (message: string) => new ModelFormatError('bad-split', message);

function intKey(header: GgufHeader, key: string, label: string, min: number, max: number): number | undefined {
  const v = header.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ModelFormatError(
      'bad-split',
      `${label}: its ${key} is ${JSON.stringify(v)}, not a count from ${min} to ${max}.`,
    );
  }
  return v;
}

/**
 * The split metadata of one file, or undefined for a whole model (no split.count, or a count of 1
 * with split.no 0, which gguf-split writes for a set of one). Throws a ModelFormatError ('bad-split')
 * naming `label` when the values are not a possible position in a set.
 */
export function readSplitMeta(header: GgufHeader, label: string): SplitMeta | undefined {
  const count = intKey(header, SPLIT_KEYS.count, label, 1, 65535);
  const no = intKey(header, SPLIT_KEYS.no, label, 0, 65535);
  if (count === undefined || (count === 1 && (no ?? 0) === 0)) return undefined;
  const bad = (why: string) => new ModelFormatError('bad-split', `${label}: ${why}`);
  if (no === undefined)
    throw bad(`it says it is one of ${count} files (${SPLIT_KEYS.count}) but not which one (${SPLIT_KEYS.no}).`);
  if (no >= count) throw bad(`its ${SPLIT_KEYS.no} is ${no}, but the set has only ${count} files (numbered from 0).`);
  const tensors = intKey(header, SPLIT_KEYS.tensors, label, 0, 2 ** 31 - 1);
  if (tensors === undefined) throw bad(`it lacks ${SPLIT_KEYS.tensors}, which every file of a split model carries.`);
  return { no, count, tensors };
}

/**
 * One header for a split model, from its shards in order. Each shard must say it is shard i of
 * shards.length; all must announce the same tensor total, which must equal the tensors found, and no
 * tensor may appear in two shards. Throws a ModelFormatError ('bad-split') that names the shard.
 */
export function combineShards(shards: readonly Shard[]): CombinedShards {
  const n = shards.length;
  if (n === 0) throw new Error('combineShards: no shards');
  const first = readSplitMeta(shards[0]!.header, shardLabel(0, n, shards[0]!.label, true));
  if (!first) throw splitError(`${shards[0]!.label} is a whole model, not the first file of a split one.`);
  const tensors: GgufTensorInfo[] = [];
  const starts: number[] = [];
  const shardOfTensor = new Map<string, number>();
  let at = 0;
  shards.forEach((s, i) => {
    const label = shardLabel(i, n, s.label, true);
    const meta = readSplitMeta(s.header, label);
    if (!meta) throw splitError(`${label} is a whole model, not part of a split one.`);
    if (meta.count !== n) {
      throw splitError(
        `${label} belongs to a set of ${meta.count} files (${SPLIT_KEYS.count}), not ${n}: ` +
          'it is from another split set.',
      );
    }
    if (meta.no !== i) {
      throw splitError(
        `${label} says it is file ${meta.no + 1} of the set (${SPLIT_KEYS.no} = ${meta.no}), ` + `not file ${i + 1}.`,
      );
    }
    if (meta.tensors !== first.tensors) {
      throw splitError(
        `${label} announces ${meta.tensors} tensors in the set (${SPLIT_KEYS.tensors}), ` +
          `where the first file announces ${first.tensors}: it is from another split set.`,
      );
    }
    for (const t of s.header.tensors) {
      const other = shardOfTensor.get(t.name);
      if (other !== undefined) {
        throw splitError(
          `${label} holds the tensor "${t.name}", which ${shardLabel(other, n, shards[other]!.label)} ` +
            'holds too: the files are from different split sets.',
        );
      }
      shardOfTensor.set(t.name, i);
      tensors.push({ ...t, offset: t.offset + at });
    }
    starts.push(at);
    at += s.header.fileSize;
  });
  if (tensors.length !== first.tensors) {
    throw splitError(
      `The ${n} files hold ${tensors.length} tensors, but the set announces ${first.tensors} ` +
        `(${SPLIT_KEYS.tensors}): some file is from another split set.`,
    );
  }
  const h = shards[0]!.header;
  return {
    header: { ...h, tensors, fileSize: at },
    starts,
    shardOfTensor,
  };
}
