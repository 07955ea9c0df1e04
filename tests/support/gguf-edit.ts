/** Test fixtures made from good fixtures by rewriting them with the project's GGUF writer. */
import { readFileSync } from 'node:fs';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { entriesFromMetadata, writeGguf, type MetaEntry, type TensorToWrite } from '../../workers/gguf/write';

export const FIXTURES = new URL('../fixtures/', import.meta.url);
export const fixtureBytes = (rel: string) => new Uint8Array(readFileSync(new URL(rel, FIXTURES)));

/** Parse `src`, let `edit` change its metadata and tensor table, and write it again. */
export function rewrite(src: Uint8Array, edit: (meta: [string, MetaEntry][], tensors: TensorToWrite[]) => void): Uint8Array {
  const h = parseGgufHeader(src, src.byteLength);
  const meta = entriesFromMetadata(h.metadata);
  const tensors = h.tensors.map((t): TensorToWrite => ({ name: t.name, typeId: t.type.id, ne: t.ne, data: src.slice(t.offset, t.offset + t.byteSize) }));
  edit(meta, tensors);
  return writeGguf(meta, tensors, h.alignment);
}

export function setMeta(meta: [string, MetaEntry][], key: string, entry: MetaEntry): void {
  const i = meta.findIndex(([k]) => k === key);
  if (i >= 0) meta[i] = [key, entry];
  else meta.push([key, entry]);
}

/**
 * The f32 fixture with FIM tokens: its vocabulary has none, so three unused slots (509-511) get the
 * texts of hole, begin and end, as CONTROL tokens.
 */
export function fimFixture(): Uint8Array {
  const src = fixtureBytes('models/ds2-pub-f32.gguf');
  const h = parseGgufHeader(src, src.byteLength);
  const tokens = [...(h.metadata.get('tokenizer.ggml.tokens') as string[])];
  const types = [...(h.metadata.get('tokenizer.ggml.token_type') as number[])];
  ['<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>'].forEach((t, i) => { tokens[509 + i] = t; types[509 + i] = 3; });
  return rewrite(src, (meta) => {
    setMeta(meta, 'tokenizer.ggml.tokens', { kind: 'array', of: 'string', value: tokens });
    setMeta(meta, 'tokenizer.ggml.token_type', { kind: 'array', of: 'i32', value: types });
  });
}
