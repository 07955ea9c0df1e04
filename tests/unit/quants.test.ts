/**
 * Every supported quant type against llama.cpp's own decode vectors (tests/fixtures/quants/, made with
 * gguf-py's quants.dequantize and checked against ggml's C to_float): the CPU dequantizer bit for bit,
 * and the stored row layout (transcode, then dequantize the stored rows) bit for bit too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { dequantFileRows, dequantStoredRows } from '../../workers/gguf/dequant';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import {
  IQ1S_GRID,
  IQ2S_GRID,
  IQ2XS_GRID,
  IQ2XXS_GRID,
  IQ3S_GRID,
  IQ3XXS_GRID,
  KSIGNS_IQ2XS,
} from '../../workers/gguf/iq-tables';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { FIXTURES } from '../support/gguf-edit';

/** The fixture's table: type, ggml id, weights and bytes per block. */
const QUANTS: [name: string, id: number, W: number, B: number][] = [
  ['Q4_0', 2, 32, 18],
  ['Q4_1', 3, 32, 20],
  ['Q5_0', 6, 32, 22],
  ['Q5_1', 7, 32, 24],
  ['Q8_0', 8, 32, 34],
  ['Q2_K', 10, 256, 84],
  ['Q3_K', 11, 256, 110],
  ['Q4_K', 12, 256, 144],
  ['Q5_K', 13, 256, 176],
  ['Q6_K', 14, 256, 210],
  ['IQ4_NL', 20, 32, 18],
  ['IQ4_XS', 23, 256, 136],
  ['IQ3_S', 21, 256, 110],
  ['IQ3_XXS', 18, 256, 98],
  ['IQ2_XXS', 16, 256, 66],
  ['IQ2_XS', 17, 256, 74],
  ['IQ2_S', 22, 256, 82],
  ['IQ1_S', 19, 256, 50],
  ['IQ1_M', 29, 256, 56],
];

function vectors(name: string): { raw: Uint8Array; want: Float32Array } {
  const raw = new Uint8Array(readFileSync(new URL(`quants/${name}.bin`, FIXTURES)));
  const f = readFileSync(new URL(`quants/${name}.f32`, FIXTURES));
  return { raw, want: new Float32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)) };
}

const bits = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

/** The first block whose values differ, for a readable failure. */
function firstBadBlock(got: Float32Array, want: Float32Array, W: number): string {
  const g = bits(got),
    w = bits(want);
  if (g.length !== w.length) return `${g.length} values, want ${w.length}`;
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) return `block ${Math.floor(i / W)} value ${i % W}: got ${got[i]}, want ${want[i]}`;
  }
  return 'none';
}

describe.each(QUANTS)('%s', (name, id, W, B) => {
  const type = ggmlTypeByName(name);
  const { raw, want } = vectors(name);
  const blocks = raw.byteLength / B;

  test('block size and id as ggml has them', () => {
    expect([type.id, type.blockWeights, type.blockBytes]).toEqual([id, W, B]);
    expect(blocks).toBe(70);
    expect((type.blockBytes - type.scaleBytes) % 4).toBe(0);
  });

  test("the CPU dequantizer gives llama.cpp's values bit for bit", () => {
    const got = dequantFileRows(type, raw, W * blocks, 1);
    expect(firstBadBlock(got, want, W)).toBe('none');
  });

  // rows of one block (every row padded alone), of 7 or 5 blocks, and the whole run as one row
  test.each([1, W === 32 ? 7 : 5, 70])('stored rows of %i blocks dequantize to the same values', (perRow) => {
    const K = perRow * W;
    const nRows = blocks / perRow;
    const stored = transcodeRows(type, K, raw, nRows);
    const stride = storedRowBytes(type, K);
    expect(stride % 4).toBe(0);
    expect(stored.byteLength).toBe(stride * nRows);
    const got = dequantStoredRows(type, stored, K, nRows, stride);
    expect(firstBadBlock(got, want, W)).toBe('none');
  });
});

describe('i-quant tables', () => {
  test('sizes as in ggml-common.h', () => {
    expect([IQ2XXS_GRID.length, IQ2XS_GRID.length, IQ2S_GRID.length, IQ1S_GRID.length]).toEqual([
      512, 1024, 2048, 4096,
    ]);
    expect([IQ3XXS_GRID.length, IQ3S_GRID.length, KSIGNS_IQ2XS.length]).toEqual([256, 512, 128]);
  });

  // The WGSL decoders compute a sign byte instead of looking it up: bit 7 makes the set bits even.
  test('ksigns_iq2xs[i] is i with an even-parity bit 7', () => {
    KSIGNS_IQ2XS.forEach((v, i) => {
      let n = 0;
      for (let b = i; b; b >>= 1) n += b & 1;
      expect(v).toBe(i | ((n & 1) << 7));
    });
  });

  test('grid bytes take only the levels the decoders assume', () => {
    const bytes = (g: Uint32Array) => [...new Set(Array.from(new Uint8Array(g.buffer)))].sort((a, b) => a - b);
    for (const g of [IQ2XXS_GRID, IQ2XS_GRID, IQ2S_GRID]) expect(bytes(g)).toEqual([8, 25, 43]);
    expect(bytes(IQ3S_GRID)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(bytes(IQ3XXS_GRID)).toEqual([4, 12, 20, 28, 36, 44, 52, 62]);
    expect(bytes(IQ1S_GRID)).toEqual([0, 1, 255]);
  });
});

describe('the quant-mix models (tests/fixtures/quant-models/)', () => {
  const MIXES = ['q5_k_m', 'q3_k_l', 'q2_k', 'iq4_xs', 'iq3_m', 'iq2_m', 'iq1_m'];
  const seen = new Set<string>();
  test.each(MIXES)('%s: every tensor dequantizes bit-identically from the file and from the stored rows', (mix) => {
    const bytes = new Uint8Array(readFileSync(new URL(`quant-models/ds2-pub-${mix}.gguf`, FIXTURES)));
    const h = parseGgufHeader(bytes, bytes.byteLength);
    for (const t of h.tensors) {
      const src = bytes.subarray(t.offset, t.offset + t.byteSize);
      const stored = transcodeRows(t.type, t.ne[0]!, src, t.nRows);
      const a = dequantFileRows(t.type, src, t.ne[0]!, t.nRows);
      const b = dequantStoredRows(t.type, stored, t.ne[0]!, t.nRows, storedRowBytes(t.type, t.ne[0]!));
      expect(firstBadBlock(b, a, t.type.blockWeights), t.name).toBe('none');
      expect(a.every(Number.isFinite), t.name).toBe(true);
      seen.add(t.type.name);
    }
  });
  test('together they use every type of the downloadable files', () => {
    for (const n of [
      'Q5_K',
      'Q6_K',
      'Q8_0',
      'Q5_1',
      'Q3_K',
      'Q2_K',
      'IQ4_NL',
      'IQ4_XS',
      'IQ3_S',
      'IQ3_XXS',
      'IQ2_XXS',
      'IQ2_XS',
      'IQ2_S',
      'IQ1_S',
      'IQ1_M',
    ]) {
      expect(seen.has(n), n).toBe(true);
    }
  });
});
