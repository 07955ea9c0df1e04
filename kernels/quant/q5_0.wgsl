// Q5_0: 32 weights per block; body = 4 bytes of high bits (qh) then 16 bytes of nibbles; scale = f16 d.
// w[j] = ((lo(q[j]) | bit j of qh << 4) - 16) * d, w[j + 16] = ((hi(q[j]) | bit j+16 of qh << 4) - 16) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 5u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let qh = W[base];
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base + 1u, j);
    let h0 = ((qh >> j) & 1u) << 4u;
    let h1 = ((qh >> (j + 16u)) & 1u) << 4u;
    (*w)[j] = (f32((q & 15u) | h0) - 16.0) * d;
    (*w)[j + 16u] = (f32((q >> 4u) | h1) - 16.0) * d;
  }
}

//!dot
// Matrix-vector form: a unit is one word of nibbles (p = u % 4 of block u / 4) with its 8 high bits
// from qh: weights 4p.. (low nibbles, qh bits 4p..) and 16 + 4p.. (high nibbles, qh bits 16 + 4p..).
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 2u;
  let p = u & 3u;
  let base = row + b * BODY_WORDS;
  let d = scale_f16(row, nb, b, 0u);
  let n = bytes4(W[base + 1u + p]);
  let h = vec4<u32>(W[base] >> (4u * p)) >> vec4<u32>(0u, 1u, 2u, 3u);
  let i = (x0 >> 2u) + 8u * b + p;
  let lo = vec4<f32>((n & vec4<u32>(15u)) | ((h & vec4<u32>(1u)) << vec4<u32>(4u))) - 16.0;
  let hi = vec4<f32>((n >> vec4<u32>(4u)) | (((h >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u))) - 16.0;
  return d * (dot(lo, X[i]) + dot(hi, X[i + 4u]));
}

//!dot16
// The f16 path (kernels.ts splices this in instead of the part above where the device has shader-f16;
// H is f16 there, f32 where the tests run this code on adapters without it). The quants become H
// exactly, scaled by a power of two to at most 1 so that a 4-term dot of them with X rounded to H
// stays below f16's 65504 for |x| < 16384; each 4-term dot is in H, the sum and the scales in f32.
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 2u;
  let p = u & 3u;
  let base = row + b * BODY_WORDS;
  let d = scale_f16(row, nb, b, 0u);
  let n = bytes4(W[base + 1u + p]);
  let h = vec4<u32>(W[base] >> (4u * p)) >> vec4<u32>(0u, 1u, 2u, 3u);
  let i = (x0 >> 2u) + 8u * b + p;
  let lo = (H4((n & vec4<u32>(15u)) | ((h & vec4<u32>(1u)) << vec4<u32>(4u))) - H4(16.0)) * H(0.0625);
  let hi = (H4((n >> vec4<u32>(4u)) | (((h >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u))) - H4(16.0)) * H(0.0625);
  return 16.0 * d * (f32(dot(lo, H4(X[i]))) + f32(dot(hi, H4(X[i + 4u]))));
}
