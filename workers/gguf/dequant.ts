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
import {
  IQ1S_DELTA,
  IQ1S_GRID,
  IQ2S_GRID,
  IQ2XS_GRID,
  IQ2XXS_GRID,
  IQ3S_GRID,
  IQ3XXS_GRID,
  KSIGNS_IQ2XS,
  KVALUES_IQ4NL,
} from './iq-tables';

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

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
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
    const d1 = f32(d * sc1),
      mm1 = f32(dmin * m1);
    const d2 = f32(d * sc2),
      mm2 = f32(dmin * m2);
    for (let l = 0; l < 32; l++) out[y++] = f32(f32(d1 * (q[qs + l]! & 0xf)) - mm1);
    for (let l = 0; l < 32; l++) out[y++] = f32(f32(d2 * (q[qs + l]! >> 4)) - mm2);
    qs += 32;
  }
};

/** Q6_K body: 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales (the f16 d is last). */
const q6_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  let ql = qo,
    qh = qo + 128,
    sc = qo + 192,
    y = oo;
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
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
};

/** Q5_1 body: 4 bytes of high bits (qh), then 16 bytes of nibbles; scales f16 d, f16 m. */
const q5_1: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const m = f16ToF32(u16(s, so + 2));
  const qh = u32(q, qo);
  for (let j = 0; j < 16; j++) {
    const b = q[qo + 4 + j]!;
    const h0 = ((qh >>> j) << 4) & 0x10;
    const h1 = (qh >>> (j + 12)) & 0x10;
    out[oo + j] = f32(f32(((b & 0xf) | h0) * d) + m);
    out[oo + j + 16] = f32(f32(((b >> 4) | h1) * d) + m);
  }
};

/**
 * Q2_K body: 16 bytes of scales (low nibble) and mins (high nibble), 64 bytes of 2-bit quants; scales
 * f16 d, f16 dmin (last in the ggml block). Sub-block is = 8h + 2j + k (16 weights) takes bits 2j..
 * of quant bytes 32h + 16k + l.
 */
const q2_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const dmin = f16ToF32(u16(s, so + 2));
  let y = oo;
  for (let h = 0; h < 2; h++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 2; k++) {
        const sc = q[qo + 8 * h + 2 * j + k]!;
        const dl = f32(d * (sc & 0xf));
        const ml = f32(dmin * (sc >> 4));
        const qs = qo + 16 + 32 * h + 16 * k;
        for (let l = 0; l < 16; l++) out[y++] = f32(f32(dl * ((q[qs + l]! >> (2 * j)) & 3)) - ml);
      }
    }
  }
};

/** Q3_K's sixteen 6-bit scales (minus 32) from their 12 packed bytes at `o`. */
function q3kScales(b: Uint8Array, o: number): Int8Array {
  const a0 = u32(b, o),
    a1 = u32(b, o + 4),
    tmp = u32(b, o + 8);
  const m2 = 0x0f0f0f0f,
    m1 = 0x03030303;
  const words = new Uint32Array([
    (a0 & m2) | (((tmp >>> 0) & m1) << 4),
    (a1 & m2) | (((tmp >>> 2) & m1) << 4),
    ((a0 >>> 4) & m2) | (((tmp >>> 4) & m1) << 4),
    ((a1 >>> 4) & m2) | (((tmp >>> 6) & m1) << 4),
  ]);
  return Int8Array.from(new Uint8Array(words.buffer), (v) => v - 32);
}

/**
 * Q3_K body: 32 bytes of high bits (hmask), 64 bytes of 2-bit quants, 12 bytes of packed 6-bit scales;
 * scale f16 d (last in the ggml block). Sub-block is = 8h + 2j + k: quant bits 2j.. of bytes
 * 32h + 16k + l, high bit 4h + j of hmask byte 16k + l (clear: minus 4).
 */
const q3_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const scales = q3kScales(q, qo + 96);
  let y = oo;
  for (let h = 0; h < 2; h++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 2; k++) {
        const dl = f32(d * scales[8 * h + 2 * j + k]!);
        const qs = qo + 32 + 32 * h + 16 * k;
        const hm = qo + 16 * k;
        for (let l = 0; l < 16; l++) {
          const v = ((q[qs + l]! >> (2 * j)) & 3) - ((q[hm + l]! >> (4 * h + j)) & 1 ? 0 : 4);
          out[y++] = f32(dl * v);
        }
      }
    }
  }
};

/** Q5_K body: 12 bytes of packed 6-bit scales and mins, 32 bytes of high bits, 128 of nibbles. */
const q5_k: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const dmin = f16ToF32(u16(s, so + 2));
  let y = oo;
  for (let g = 0; g < 4; g++) {
    const [sc1, m1] = scaleMinK4(2 * g, q, qo);
    const [sc2, m2] = scaleMinK4(2 * g + 1, q, qo);
    const d1 = f32(d * sc1),
      mm1 = f32(dmin * m1);
    const d2 = f32(d * sc2),
      mm2 = f32(dmin * m2);
    const ql = qo + 44 + 32 * g,
      qh = qo + 12;
    for (let l = 0; l < 32; l++)
      out[y++] = f32(f32(d1 * ((q[ql + l]! & 0xf) + ((q[qh + l]! >> (2 * g)) & 1 ? 16 : 0))) - mm1);
    for (let l = 0; l < 32; l++)
      out[y++] = f32(f32(d2 * ((q[ql + l]! >> 4) + ((q[qh + l]! >> (2 * g + 1)) & 1 ? 16 : 0))) - mm2);
  }
};

/** IQ4_NL body: 16 bytes of nibbles indexing kvalues_iq4nl; scale f16 d. */
const iq4_nl: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let j = 0; j < 16; j++) {
    const b = q[qo + j]!;
    out[oo + j] = f32(d * KVALUES_IQ4NL[b & 0xf]!);
    out[oo + j + 16] = f32(d * KVALUES_IQ4NL[b >> 4]!);
  }
};

/**
 * IQ4_XS body: 4 bytes of low scale nibbles, 128 bytes of nibbles (16 a sub-block of 32); scales: f16 d,
 * then the u16 of high scale bit pairs. Sub-block ib's scale: nibble ib of the low bytes | pair ib << 4.
 */
const iq4_xs: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  const high = u16(s, so + 2);
  let y = oo;
  for (let ib = 0; ib < 8; ib++) {
    const ls = ((q[qo + (ib >> 1)]! >> (4 * (ib & 1))) & 0xf) | (((high >> (2 * ib)) & 3) << 4);
    const dl = f32(d * (ls - 32));
    const qs = qo + 4 + 16 * ib;
    for (let j = 0; j < 16; j++) {
      out[y + j] = f32(dl * KVALUES_IQ4NL[q[qs + j]! & 0xf]!);
      out[y + j + 16] = f32(dl * KVALUES_IQ4NL[q[qs + j]! >> 4]!);
    }
    y += 32;
  }
};

/** Byte j (0..7) of entry i of a u64 grid held as word pairs. */
function gridByte(grid: Uint32Array, i: number, j: number): number {
  return (grid[2 * i + (j >> 2)]! >>> (8 * (j & 3))) & 0xff;
}

/** 8 values of a u64 grid entry with signs (bit j of `signs` set: value j negated), times dl. */
function put8(out: Float32Array, y: number, grid: Uint32Array, i: number, signs: number, dl: number): void {
  for (let j = 0; j < 8; j++) out[y + j] = f32(dl * gridByte(grid, i, j)) * ((signs >> j) & 1 ? -1 : 1);
}

/**
 * IQ2_XXS body: per sub-block of 32, two u32: four grid indices (bytes), then four 7-bit sign indices
 * and a 4-bit scale (top bits); scale f16 d. dl = d * (0.5 + scale) * 0.25.
 */
const iq2_xxs: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const a1 = u32(q, qo + 8 * ib + 4);
    const db = f32(f32(d * (0.5 + (a1 >>> 28))) * 0.25);
    for (let l = 0; l < 4; l++) {
      put8(out, oo + 32 * ib + 8 * l, IQ2XXS_GRID, q[qo + 8 * ib + l]!, KSIGNS_IQ2XS[(a1 >>> (7 * l)) & 127]!, db);
    }
  }
};

/**
 * IQ2_XS body: 32 u16 (a 9-bit grid index and a 7-bit sign index each), then 8 bytes of 4-bit scales
 * (low nibble for the first 16 weights of a sub-block, high for the rest); scale f16 d.
 */
const iq2_xs: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const sc = q[qo + 64 + ib]!;
    const db = [f32(f32(d * (0.5 + (sc & 0xf))) * 0.25), f32(f32(d * (0.5 + (sc >> 4))) * 0.25)];
    for (let l = 0; l < 4; l++) {
      const v = u16(q, qo + 8 * ib + 2 * l);
      put8(out, oo + 32 * ib + 8 * l, IQ2XS_GRID, v & 511, KSIGNS_IQ2XS[v >> 9]!, db[l >> 1]!);
    }
  }
};

/**
 * IQ2_S body: 32 bytes of grid index low bits, 32 bytes of signs, 8 bytes of index high bit pairs, 8
 * bytes of 4-bit scales; scale f16 d.
 */
const iq2_s: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const sc = q[qo + 72 + ib]!;
    const db = [f32(f32(d * (0.5 + (sc & 0xf))) * 0.25), f32(f32(d * (0.5 + (sc >> 4))) * 0.25)];
    const qh = q[qo + 64 + ib]!;
    for (let l = 0; l < 4; l++) {
      const idx = q[qo + 4 * ib + l]! | ((qh << (8 - 2 * l)) & 0x300);
      put8(out, oo + 32 * ib + 8 * l, IQ2S_GRID, idx, q[qo + 32 + 4 * ib + l]!, db[l >> 1]!);
    }
  }
};

/** 4 values of a u32 grid entry with signs (bit j of `signs` set: value j negated), times dl. */
function put4(out: Float32Array, y: number, grid: Uint32Array, i: number, signs: number, dl: number): void {
  for (let j = 0; j < 4; j++) out[y + j] = f32(dl * ((grid[i]! >>> (8 * j)) & 0xff)) * ((signs >> j) & 1 ? -1 : 1);
}

/**
 * IQ3_XXS body: 64 bytes of grid indices (8 a sub-block), then a u32 per sub-block: four 7-bit sign
 * indices and a 4-bit scale; scale f16 d. dl = d * (0.5 + scale) * 0.5.
 */
const iq3_xxs: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const aux = u32(q, qo + 64 + 4 * ib);
    const db = f32(f32(d * (0.5 + (aux >>> 28))) * 0.5);
    for (let l = 0; l < 4; l++) {
      const signs = KSIGNS_IQ2XS[(aux >>> (7 * l)) & 127]!;
      const y = oo + 32 * ib + 8 * l;
      put4(out, y, IQ3XXS_GRID, q[qo + 8 * ib + 2 * l]!, signs, db);
      put4(out, y + 4, IQ3XXS_GRID, q[qo + 8 * ib + 2 * l + 1]!, signs >> 4, db);
    }
  }
};

/**
 * IQ3_S body: 64 bytes of grid index low bits, 8 bytes of index high bits (one byte a sub-block), 32
 * bytes of signs, 4 bytes of 4-bit scales; scale f16 d. dl = d * (1 + 2 * scale).
 */
const iq3_s: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const db = f32(d * (1 + 2 * ((q[qo + 104 + (ib >> 1)]! >> (4 * (ib & 1))) & 0xf)));
    const qh = q[qo + 64 + ib]!;
    for (let l = 0; l < 4; l++) {
      const signs = q[qo + 72 + 4 * ib + l]!;
      const y = oo + 32 * ib + 8 * l;
      put4(out, y, IQ3S_GRID, q[qo + 8 * ib + 2 * l]! | ((qh << (8 - 2 * l)) & 256), signs, db);
      put4(out, y + 4, IQ3S_GRID, q[qo + 8 * ib + 2 * l + 1]! | ((qh << (7 - 2 * l)) & 256), signs >> 4, db);
    }
  }
};

/** 8 values (-1, 0, 1) of iq1s_grid entry i plus delta, times dl. */
function put8iq1(out: Float32Array, y: number, i: number, delta: number, dl: number): void {
  for (let j = 0; j < 8; j++) out[y + j] = f32(dl * (((gridByte(IQ1S_GRID, i, j) << 24) >> 24) + delta));
}

/**
 * IQ1_S body: 32 bytes of grid index low bits, then a u16 per sub-block: three 3-bit index highs,
 * a 3-bit scale and the sign of delta (bit 15); scale f16 d. dl = d * (2 * scale + 1).
 */
const iq1_s: BlockFn = (q, qo, s, so, out, oo) => {
  const d = f16ToF32(u16(s, so));
  for (let ib = 0; ib < 8; ib++) {
    const qh = u16(q, qo + 32 + 2 * ib);
    const dl = f32(d * (2 * ((qh >> 12) & 7) + 1));
    const delta = qh & 0x8000 ? -IQ1S_DELTA : IQ1S_DELTA;
    for (let l = 0; l < 4; l++)
      put8iq1(out, oo + 32 * ib + 8 * l, q[qo + 4 * ib + l]! | (((qh >> (3 * l)) & 7) << 8), delta, dl);
  }
};

/**
 * IQ1_M (the whole block is body): 32 bytes of grid index low bits, 16 bytes of index highs and delta
 * signs (a nibble per group of 8), 8 bytes of 3-bit scales (four u16) whose top nibbles make the
 * block's f16 scale.
 */
const iq1_m: BlockFn = (q, qo, _s, _so, out, oo) => {
  const sc = [0, 1, 2, 3].map((i) => u16(q, qo + 48 + 2 * i));
  const d = f16ToF32((sc[0]! >> 12) | ((sc[1]! >> 8) & 0xf0) | ((sc[2]! >> 4) & 0xf00) | (sc[3]! & 0xf000));
  for (let ib = 0; ib < 8; ib++) {
    const s6 = sc[ib >> 1]! >> (6 * (ib & 1));
    const dl = [f32(d * (2 * (s6 & 7) + 1)), f32(d * (2 * ((s6 >> 3) & 7) + 1))];
    for (let l = 0; l < 4; l++) {
      const nib = q[qo + 32 + 2 * ib + (l >> 1)]! >> (4 * (l & 1));
      const idx = q[qo + 4 * ib + l]! | ((nib & 7) << 8);
      put8iq1(out, oo + 32 * ib + 8 * l, idx, nib & 8 ? -IQ1S_DELTA : IQ1S_DELTA, dl[l >> 1]!);
    }
  }
};

const BLOCK_FNS: Record<string, BlockFn> = {
  Q4_0: q4_0,
  Q4_1: q4_1,
  Q5_0: q5_0,
  Q5_1: q5_1,
  Q8_0: q8_0,
  Q2_K: q2_k,
  Q3_K: q3_k,
  Q4_K: q4_k,
  Q5_K: q5_k,
  Q6_K: q6_k,
  IQ4_NL: iq4_nl,
  IQ4_XS: iq4_xs,
  IQ2_XXS: iq2_xxs,
  IQ2_XS: iq2_xs,
  IQ2_S: iq2_s,
  IQ3_XXS: iq3_xxs,
  IQ3_S: iq3_s,
  IQ1_S: iq1_s,
  IQ1_M: iq1_m,
};

function plainValue(type: GgmlType, b: Uint8Array, o: number, view: DataView): number {
  switch (type.name) {
    case 'F32':
      return view.getFloat32(o, true);
    case 'F16':
      return f16ToF32(u16(b, o));
    case 'BF16':
      return new Float32Array(new Uint32Array([u16(b, o) << 16]).buffer)[0]!;
    default:
      throw new Error(`${type.name} is not a plain float type`);
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
  // In every supported type the scale fields sit at the start or at the end of the block (or there
  // are none), so the body is contiguous right after or before them.
  const bodyShift = type.scaleOffset === 0 ? type.scaleBytes : 0;
  for (let b = 0; b < n / type.blockWeights; b++) {
    const base = b * type.blockBytes;
    fn(bytes, base + bodyShift, bytes, base + type.scaleOffset, out, b * type.blockWeights);
  }
  return out;
}

/** Dequantize `nRows` rows in the stored layout of store/layout.ts. */
export function dequantStoredRows(
  type: GgmlType,
  bytes: Uint8Array,
  rowWeights: number,
  nRows: number,
  rowStride: number,
): Float32Array {
  const out = new Float32Array(rowWeights * nRows);
  const fn = BLOCK_FNS[type.name];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let r = 0; r < nRows; r++) {
    const row = r * rowStride;
    if (!fn) {
      for (let i = 0; i < rowWeights; i++)
        out[r * rowWeights + i] = plainValue(type, bytes, row + i * type.blockBytes, view);
      continue;
    }
    const nb = rowWeights / type.blockWeights;
    const body = type.blockBytes - type.scaleBytes;
    for (let b = 0; b < nb; b++) {
      fn(
        bytes,
        row + b * body,
        bytes,
        row + nb * body + b * type.scaleBytes,
        out,
        r * rowWeights + b * type.blockWeights,
      );
    }
  }
  return out;
}
