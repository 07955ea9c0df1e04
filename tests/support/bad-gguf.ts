/**
 * The bad-input corpus: each entry is a file built from a good fixture with one thing wrong, and the
 * error code and words the import must answer with. Unit tests parse them; browser tests import them
 * through the UI.
 */
import type { ModelErrorCode } from '../../workers/errors';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { fixtureBytes, rewrite, setMeta } from './gguf-edit';

export { FIXTURES, fixtureBytes } from './gguf-edit';

export interface BadFile {
  name: string;
  bytes: Uint8Array;
  code: ModelErrorCode;
  /** words the message must contain */
  says: RegExp;
}

/** Overwrite the u64 length field that precedes the first occurrence of `marker` (a string value). */
function patchLengthBefore(bytes: Uint8Array, marker: string, value: bigint): Uint8Array {
  const m = new TextEncoder().encode(marker);
  const out = bytes.slice();
  for (let i = 8; i < out.length - m.length; i++) {
    if (m.every((b, j) => out[i + j] === b)) {
      new DataView(out.buffer).setBigUint64(i - 8, value, true);
      return out;
    }
  }
  throw new Error(`marker ${marker} not found`);
}

export function badFiles(): BadFile[] {
  const good = fixtureBytes('models/ds2-pub-q4_0.gguf');
  const withMarker = rewrite(good, (meta) =>
    setMeta(meta, 'general.description', { kind: 'string', value: 'MARKER-STRING' }),
  );
  const withArrayMarker = rewrite(good, (meta) =>
    setMeta(meta, 'general.tags', { kind: 'array', of: 'string', value: ['ARRAY-MARKER'] }),
  );
  return [
    {
      name: 'not-a-model.gguf',
      bytes: new TextEncoder().encode('<!doctype html><title>404 Not Found</title>'.repeat(20)),
      code: 'not-gguf',
      says: /not a GGUF/,
    },
    {
      name: 'truncated.gguf',
      bytes: good.slice(0, Math.floor(good.byteLength * 0.6)),
      code: 'truncated',
      says: /truncated/,
    },
    { name: 'header-only.gguf', bytes: good.slice(0, 200), code: 'truncated', says: /truncated/ },
    {
      name: 'llama.gguf',
      bytes: rewrite(good, (meta) => setMeta(meta, 'general.architecture', { kind: 'string', value: 'llama' })),
      code: 'wrong-architecture',
      says: /"llama" model.*deepseek2/,
    },
    {
      name: 'tq2_0.gguf',
      bytes: rewrite(good, (_m, tensors) => {
        tensors.find((t) => t.name === 'blk.1.attn_q.weight')!.typeId = 35;
      }),
      code: 'unsupported-type',
      says: /blk\.1\.attn_q\.weight.*TQ2_0/,
    },
    // one per block size of the quant types: a row that is not a whole number of blocks
    blockMismatch(good, 'Q5_1'),
    blockMismatch(good, 'IQ2_XXS'),
    {
      name: 'overlap.gguf',
      bytes: rewrite(good, (_m, tensors) => {
        tensors[3]!.offsetOverride = 0;
      }),
      code: 'bad-tensor-table',
      says: /overlap/,
    },
    {
      name: 'bad-shape.gguf',
      bytes: rewrite(good, (meta) => setMeta(meta, 'deepseek2.expert_feed_forward_length', { kind: 'u32', value: 64 })),
      code: 'bad-shape',
      says: /ffn_gate_exps.*shape/,
    },
    {
      name: 'huge-string.gguf',
      bytes: patchLengthBefore(withMarker, 'MARKER-STRING', 1n << 40n),
      code: 'bad-metadata',
      says: /claims \d+ bytes/,
    },
    {
      name: 'overflowing-count.gguf',
      bytes: patchLengthBefore(withArrayMarker, 'ARRAY-MARKER', 0xffffffffffffff00n),
      code: 'bad-metadata',
      says: /overflows/,
    },
    hugeArray(withArrayMarker),
  ];
}

/** An array whose element count (2^40) is far beyond what the file holds. */
function hugeArray(src: Uint8Array): BadFile {
  const m = new TextEncoder().encode('ARRAY-MARKER');
  const out = src.slice();
  for (let i = 16; i < out.length; i++) {
    if (m.every((b, j) => out[i + j] === b)) {
      new DataView(out.buffer).setBigUint64(i - 16, 1n << 40n, true);
      return { name: 'huge-array.gguf', bytes: out, code: 'bad-metadata', says: /claims \d+ elements/ };
    }
  }
  throw new Error('marker not found');
}

/**
 * `good` with one tensor retyped to `typeName` and rows that are not a whole number of its blocks: a
 * 32-weight row for the 256-weight types (what llama.cpp's own fallbacks avoid), a 16-weight row for the
 * 32-weight ones. The import must refuse it while reading the tensor table.
 */
export function blockMismatch(good: Uint8Array, typeName: string): BadFile {
  const type = ggmlTypeByName(typeName);
  const name = type.blockWeights === 256 ? 'blk.1.attn_q.weight' : 'blk.1.attn_kv_a_mqa.weight';
  const bytes = rewrite(good, (_m, tensors) => {
    const t = tensors.find((x) => x.name === name)!;
    if (type.blockWeights !== 256) t.ne = [16, (t.ne[0]! / 16) * t.ne.slice(1).reduce((a, b) => a * b, 1)];
    t.typeId = type.id;
  });
  const row = type.blockWeights === 256 ? 32 : 16;
  return {
    name: `${typeName.toLowerCase()}-partial-block.gguf`,
    bytes,
    code: 'bad-tensor-table',
    says: new RegExp(
      `${name.replace(/\./g, '\\.')}.*rows of ${row} weights.*${typeName}'s block of ${type.blockWeights}`,
    ),
  };
}
