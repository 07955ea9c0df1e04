/**
 * Dequantization of every supported ggml type, in f32 arithmetic as ggml does it.
 *
 * One function per type reads a block through two offsets: its body (the quants) and its f16 scale
 * fields. In a GGUF file both live inside the ggml block; in the stored row layout (store/layout.ts)
 * the bodies and the scales of a row are in separate runs. The same arithmetic thus reads both
 * layouts, which is how tests prove the stored records bit-exact with the file. It is also the CPU
 * reference the WGSL kernels are tested against.
 */
import type { GgmlType } from './ggml-types';

const f32 = Math.fround;

export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

type BlockFn = (q: Uint8Array, qo: number, s: Uint8Array, so: number, out: Float32Array, oo: number) => void;

const q4_0: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let j = 0; j < 16; j++) {
    const b = q[qo + j]!;
    out[oo + j] = f32(((b & 0xf) - 8) * d);
    out[oo + j + 16] = f32(((b >> 4) - 8) * d);
  }
};

const q4_1: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const m = f16ToF32(u16(s, so + 2));
  for (let j = 0; j < 16; j++) {
    const b = q[qo + j]!;
    out[oo + j] = f32(f32((b & 0xf) * d) + m);
    out[oo + j + 16] = f32(f32((b >> 4) * d) + m);
  }
};

const q5_0: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const qh = (q[qo]! | (q[qo + 1]! << 8) | (q[qo + 2]! << 16) | (q[qo + 3]! << 24)) >>> 0;
  for (let j = 0; j < 16; j++) {
    const b = q[qo + 4 + j]!;
    const h0 = ((qh >>> j) << 4) & 0x10;
    const h1 = (qh >>> (j + 12)) & 0x10;
    out[oo + j] = f32((((b & 0xf) | h0) - 16) * d);
    out[oo + j + 16] = f32((((b >> 4) | h1) - 16) * d);
  }
};

const q8_0: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let j = 0; j < 32; j++) out[oo + j] = f32(((q[qo + j]! << 24) >> 24) * d);
};

function scaleMinK4(j: number, sc: Uint8Array, o: number): [number, number] {
  if (j < 4) return [sc[o + j]! & 63, sc[o + j + 4]! & 63];
  return [(sc[o + j + 4]! & 0xf) | ((sc[o + j - 4]! >> 6) << 4), (sc[o + j + 4]! >> 4) | ((sc[o + j]! >> 6) << 4)];
}

/** Q4_K body: 12 bytes of packed 6-bit scales and mins, then 128 bytes of nibbles. */
const q4_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const dmin = f16ToF32(u16(s, so + 2));
  let qs = qo + 12;
  let y = oo;
  for (let is = 0; is < 8; is += 2) {
    const [sc1, m1] = scaleMinK4(is, q, qo);
    const [sc2, m2] = scaleMinK4(is + 1, q, qo);
    const d1 = f32(d * sc1), mm1 = f32(dmin * m1);
    const d2 = f32(d * sc2), mm2 = f32(dmin * m2);
    for (let l = 0; l < 32; l++) out[y++] = f32(f32(d1 * (q[qs + l]! & 0xf)) - mm1);
    for (let l = 0; l < 32; l++) out[y++] = f32(f32(d2 * (q[qs + l]! >> 4)) - mm2);
    qs += 32;
  }
};

/** Q6_K body: 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales (the f16 d is last). */
const q6_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  let ql = qo, qh = qo + 128, sc = qo + 192, y = oo;
  for (let n = 0; n < 256; n += 128) {
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const h = q[qh + l]!;
      const q1 = ((q[ql + l]! & 0xf) | ((h & 3) << 4)) - 32;
      const q2 = ((q[ql + l + 32]! & 0xf) | (((h >> 2) & 3) << 4)) - 32;
      const q3 = ((q[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
      const q4 = ((q[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
      const scale = (k: number) => (q[sc + is + k]! << 24) >> 24;
      out[y + l] = f32(f32(d * scale(0)) * q1);
      out[y + l + 32] = f32(f32(d * scale(2)) * q2);
      out[y + l + 64] = f32(f32(d * scale(4)) * q3);
      out[y + l + 96] = f32(f32(d * scale(6)) * q4);
    }
    y += 128; ql += 64; qh += 32; sc += 8;
  }
};

const BLOCK_FNS: Record<string, BlockFn> = { Q4_0: q4_0, Q4_1: q4_1, Q5_0: q5_0, Q8_0: q8_0, Q4_K: q4_k, Q6_K: q6_k };

function plainValue(type: GgmlType, b: Uint8Array, o: number, view: DataView): number {
  switch (type.name) {
    case 'F32': return view.getFloat32(o, true);
    case 'F16': return f16ToF32(u16(b, o));
    case 'BF16': return new Float32Array(new Uint32Array([u16(b, o) << 16]).buffer)[0]!;
    default: throw new Error(`${type.name} is not a plain float type`);
  }
}

/** Dequantize `nRows` rows of `rowWeights` weights laid out as in a GGUF file. */
export function dequantFileRows(type: GgmlType, bytes: Uint8Array, rowWeights: number, nRows: number): Float32Array {
  const out = new Float32Array(rowWeights * nRows);
  const n = rowWeights * nRows;
  const fn = BLOCK_FNS[type.name];
  if (!fn) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) out[i] = plainValue(type, bytes, i * type.blockBytes, view);
    return out;
  }
  // In every supported type the scale fields sit at the start or at the end of the block, so the
  // body is contiguous right after or before them.
  const bodyShift = type.scaleOffset === 0 ? type.scaleBytes : 0;
  for (let b = 0; b < n / type.blockWeights; b++) {
    const base = b * type.blockBytes;
    fn(bytes, base + bodyShift, bytes, base + type.scaleOffset, out, b * type.blockWeights);
  }
  return out;
}

/** Dequantize `nRows` rows in the stored layout of store/layout.ts. */
export function dequantStoredRows(type: GgmlType, bytes: Uint8Array, rowWeights: number, nRows: number, rowStride: number): Float32Array {
  const out = new Float32Array(rowWeights * nRows);
  const fn = BLOCK_FNS[type.name];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let r = 0; r < nRows; r++) {
    const row = r * rowStride;
    if (!fn) {
      for (let i = 0; i < rowWeights; i++) out[r * rowWeights + i] = plainValue(type, bytes, row + i * type.blockBytes, view);
      continue;
    }
    const nb = rowWeights / type.blockWeights;
    const body = type.blockBytes - type.scaleBytes;
    for (let b = 0; b < nb; b++) {
      fn(bytes, row + b * body, bytes, row + nb * body + b * type.scaleBytes, out, r * rowWeights + b * type.blockWeights);
    }
  }
  return out;
}
