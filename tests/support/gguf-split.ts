/**
 * Split a GGUF file as llama.cpp's gguf-split does (tools/gguf-split/gguf-split.cpp, --split-max-tensors),
 * with the project's GGUF writer: the first file carries all the metadata, every file carries
 * split.no (u16), split.count (u16) and split.tensors.count (i32), and the tensors go, in file order,
 * `perFile` to a file. Names as llama_split_path writes them.
 */
import { parseGgufHeader } from '../../workers/gguf/parse';
import { SPLIT_KEYS } from '../../workers/gguf/split';
import { entriesFromMetadata, writeGguf, type MetaEntry, type TensorToWrite } from '../../workers/gguf/write';
import { shardFileName } from '../../workers/store/shard-names';

export interface SplitFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * `src` as `count` files (the tensors dealt out evenly, in order). `edit(i, meta)` may change file i's
 * metadata before it is written (a test's way to make a bad set).
 */
export function splitGguf(
  src: Uint8Array,
  prefix: string,
  count: number,
  edit?: (i: number, meta: [string, MetaEntry][]) => void,
): SplitFile[] {
  const h = parseGgufHeader(src, src.byteLength);
  const tensors = h.tensors.map((t): TensorToWrite => ({
    name: t.name,
    typeId: t.type.id,
    ne: t.ne,
    data: src.slice(t.offset, t.offset + t.byteSize),
  }));
  const perFile = Math.ceil(tensors.length / count);
  return Array.from({ length: count }, (_, i) => {
    const meta: [string, MetaEntry][] = i === 0 ? entriesFromMetadata(h.metadata, h.metadataTypes) : [];
    meta.push(
      [SPLIT_KEYS.no, { kind: 'u16', value: i }],
      [SPLIT_KEYS.count, { kind: 'u16', value: count }],
      [SPLIT_KEYS.tensors, { kind: 'i32', value: tensors.length }],
    );
    edit?.(i, meta);
    const bytes = writeGguf(meta, tensors.slice(i * perFile, (i + 1) * perFile), h.alignment);
    return { name: shardFileName(prefix, i + 1, count), bytes };
  });
}

/** The files laid end to end: the bytes a split model's record offsets point into. */
export function concatenated(files: readonly SplitFile[]): Uint8Array {
  const out = new Uint8Array(files.reduce((n, f) => n + f.bytes.byteLength, 0));
  let at = 0;
  for (const f of files) {
    out.set(f.bytes, at);
    at += f.bytes.byteLength;
  }
  return out;
}
