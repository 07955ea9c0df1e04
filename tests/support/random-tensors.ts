/** Seeded random tensors in GGUF file layout, with sane scales, for kernel tests and the benchmark. */
import type { GgmlType } from '../../workers/gguf/ggml-types';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** f32 to IEEE half (round to nearest), for normal values of moderate size. */
export function f32ToF16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  mant += 0x1000; // round
  if (mant & 0x800000) return sign | ((exp + 1) << 10);
  return sign | (exp << 10) | (mant >>> 13);
}

/** `rows` rows of `k` weights of `type`, as the bytes a GGUF file would hold. */
export function randomTensorBytes(
  type: GgmlType,
  k: number,
  rows: number,
  rand: () => number,
  scale = 0.05,
): Uint8Array {
  const nBlocks = (k / type.blockWeights) * rows;
  const out = new Uint8Array(nBlocks * type.blockBytes);
  const view = new DataView(out.buffer);
  if (type.name === 'F32') {
    for (let i = 0; i < nBlocks; i++) view.setFloat32(i * 4, (rand() * 2 - 1) * scale * 10, true);
    return out;
  }
  if (type.name === 'F16' || type.name === 'BF16') {
    for (let i = 0; i < nBlocks; i++) {
      const v = (rand() * 2 - 1) * scale * 10;
      const bits = type.name === 'F16' ? f32ToF16(v) : new Uint32Array(new Float32Array([v]).buffer)[0]! >>> 16;
      view.setUint16(i * 2, bits, true);
    }
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  for (let b = 0; b < nBlocks; b++) {
    const base = b * type.blockBytes + type.scaleOffset;
    for (let s = 0; s < type.scaleBytes; s += 2)
      view.setUint16(base + s, f32ToF16((0.2 + rand()) * scale * (s === 0 ? 1 : 0.5)), true);
    if (type.name === 'IQ1_M') {
      // its f16 scale is the top nibbles of the four u16 sub-block scales at bytes 48..55
      const h = f32ToF16((0.2 + rand()) * scale);
      for (let i = 0; i < 4; i++) {
        const o = b * type.blockBytes + 48 + 2 * i;
        view.setUint16(o, (view.getUint16(o, true) & 0x0fff) | (((h >> (4 * i)) & 0xf) << 12), true);
      }
    }
  }
  return out;
}

export function randomF32(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}
