/** Test fixtures made from good fixtures by rewriting them with the project's GGUF writer. */
import { readFileSync } from 'node:fs';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { entriesFromMetadata, writeGguf, type MetaEntry, type TensorToWrite } from '../../workers/gguf/write';

export const FIXTURES = new URL('../fixtures/', import.meta.url);
export const fixtureBytes = (rel: string) => new Uint8Array(readFileSync(new URL(rel, FIXTURES)));

/** Parse `src`, let `edit` change its metadata and tensor table, and write it again. */
export function rewrite(
  src: Uint8Array,
  edit: (meta: [string, MetaEntry][], tensors: TensorToWrite[]) => void,
): Uint8Array {
  const h = parseGgufHeader(src, src.byteLength);
  const meta = entriesFromMetadata(h.metadata, h.metadataTypes);
  const tensors = h.tensors.map((t): TensorToWrite => ({
    name: t.name,
    typeId: t.type.id,
    ne: t.ne,
    data: src.slice(t.offset, t.offset + t.byteSize),
  }));
  edit(meta, tensors);
  return writeGguf(meta, tensors, h.alignment);
}

export function setMeta(meta: [string, MetaEntry][], key: string, entry: MetaEntry): void {
  const i = meta.findIndex(([k]) => k === key);
  if (i >= 0) meta[i] = [key, entry];
  else meta.push([key, entry]);
}

/** DeepSeek's FIM markers in the order of their ids in Coder-V2-Lite (100002, 100003, 100004). */
export const FIM_MARKERS = ['<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>'] as const;

/** ggml token types a fixture can give the FIM markers: 4 (USER_DEFINED, as files converted in 2024 store them) or 3 (CONTROL). */
export type FimTyping = 3 | 4;

/** `src` with the FIM markers written over the tokens at `firstId`.. and typed `type`. */
function withFimMarkers(src: Uint8Array, firstId: number, type: FimTyping): Uint8Array {
  const h = parseGgufHeader(src, src.byteLength);
  const tokens = [...(h.metadata.get('tokenizer.ggml.tokens') as string[])];
  const types = [...(h.metadata.get('tokenizer.ggml.token_type') as number[])];
  FIM_MARKERS.forEach((t, i) => {
    tokens[firstId + i] = t;
    types[firstId + i] = type;
  });
  return rewrite(src, (meta) => {
    setMeta(meta, 'tokenizer.ggml.tokens', { kind: 'array', of: 'string', value: tokens });
    setMeta(meta, 'tokenizer.ggml.token_type', { kind: 'array', of: 'i32', value: types });
  });
}

/**
 * The f32 fixture with FIM tokens: its vocabulary has none, so three unused slots (509-511) get the
 * texts of hole, begin and end, typed USER_DEFINED as in the real files (or CONTROL).
 */
export function fimFixture(type: FimTyping = 4): Uint8Array {
  return withFimMarkers(fixtureBytes('models/ds2-pub-f32.gguf'), 509, type);
}

/**
 * The full-vocabulary fixture (the real 102,400-token deepseek-llm vocabulary) with Coder-V2-Lite's FIM
 * markers at their real ids, 100002-100004 (where deepseek-llm has the user-defined ø, ö, ú).
 */
export function fullVocabFimFixture(type: FimTyping): Uint8Array {
  return withFimMarkers(fixtureBytes('fullvocab/tiny-q4_0.gguf'), 100002, type);
}
