// Q6_K: 256 weights per block in 8 sub-blocks of 32; body = 128 bytes of low nibbles (ql), 64 bytes of
// high bit pairs (qh), 16 int8 scales; scale = f16 d (last in the ggml block).
// Sub-block s: half h = s / 4 (weights 128h..), quarter q = s % 4; for l < 32:
// ql byte 64h + l + 32(q & 1), high nibble when q >= 2; qh byte 32h + l, bits 2q..2q+1;
// w = d * scale[8h + 2q + l / 16] * (q6 - 32).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 52u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let h = s >> 2u;
  let q = s & 3u;
  let ql0 = 64u * h + 32u * (q & 1u);
  let lo_shift = select(0u, 4u, q >= 2u);
  for (var l = 0u; l < 32u; l++) {
    let lo = (byte_at(base, ql0 + l) >> lo_shift) & 15u;
    let hi = (byte_at(base, 128u + 32u * h + l) >> (2u * q)) & 3u;
    let sc = f32(extractBits(bitcast<i32>(byte_at(base, 192u + 8u * h + 2u * q + (l >> 4u))), 0u, 8u));
    (*w)[l] = d * sc * (f32(lo | (hi << 4u)) - 32.0);
  }
}

//!dot
// Matrix-vector form: a unit is 16 weights (16 units a block): half h = (u / 8) % 2, j = u % 8, the
// 4 positions l = 4j.. of each quarter q: ql word 16h + j holds quarters 0 (low nibbles) and 2 (high),
// ql word 16h + 8 + j quarters 1 and 3, qh word 32 + 8h + j the high bit pairs of all four.
const UNIT: u32 = 16u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 4u;
  let h = (u >> 3u) & 1u;
  let j = u & 7u;
  let base = row + b * BODY_WORDS;
  let d = scale_f16(row, nb, b, 0u);
  let la = bytes4(W[base + 16u * h + j]);
  let lb = bytes4(W[base + 16u * h + 8u + j]);
  let hb = bytes4(W[base + 32u + 8u * h + j]);
  // scale[8h + 2q + j / 4]: quarters 0, 1 in word 48 + 2h, quarters 2, 3 in word 49 + 2h
  let t = j >> 2u;
  let s0 = sbytes4(W[base + 48u + 2u * h]);
  let s1 = sbytes4(W[base + 49u + 2u * h]);
  let m15 = vec4<u32>(15u);
  let m3 = vec4<u32>(3u);
  let q0 = vec4<f32>((la & m15) | ((hb & m3) << vec4<u32>(4u))) - 32.0;
  let q1 = vec4<f32>((lb & m15) | (((hb >> vec4<u32>(2u)) & m3) << vec4<u32>(4u))) - 32.0;
  let q2 = vec4<f32>((la >> vec4<u32>(4u)) | (((hb >> vec4<u32>(4u)) & m3) << vec4<u32>(4u))) - 32.0;
  let q3 = vec4<f32>((lb >> vec4<u32>(4u)) | ((hb >> vec4<u32>(6u)) << vec4<u32>(4u))) - 32.0;
  let i = (x0 >> 2u) + 64u * b + 32u * h + j;
  let sum = f32(s0[t]) * dot(q0, X[i]) + f32(s0[2u + t]) * dot(q1, X[i + 8u])
    + f32(s1[t]) * dot(q2, X[i + 16u]) + f32(s1[2u + t]) * dot(q3, X[i + 24u]);
  return d * sum;
}

//!dot16
// The f16 path (kernels.ts splices this in instead of the part above where the device has shader-f16;
// H is f16 there, f32 where the tests run this code on adapters without it). The quants become H
// exactly, scaled by a power of two to at most 1 so that a 4-term dot of them with X rounded to H
// stays below f16's 65504 for |x| < 16384; each 4-term dot is in H, the sum and the scales in f32.
const UNIT: u32 = 16u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 4u;
  let h = (u >> 3u) & 1u;
  let j = u & 7u;
  let base = row + b * BODY_WORDS;
  let d = scale_f16(row, nb, b, 0u);
  let la = bytes4(W[base + 16u * h + j]);
  let lb = bytes4(W[base + 16u * h + 8u + j]);
  let hb = bytes4(W[base + 32u + 8u * h + j]);
  let t = j >> 2u;
  let s0 = sbytes4(W[base + 48u + 2u * h]);
  let s1 = sbytes4(W[base + 49u + 2u * h]);
  let m15 = vec4<u32>(15u);
  let m3 = vec4<u32>(3u);
  let k = H(0.03125);
  let q0 = (H4((la & m15) | ((hb & m3) << vec4<u32>(4u))) - H4(32.0)) * k;
  let q1 = (H4((lb & m15) | (((hb >> vec4<u32>(2u)) & m3) << vec4<u32>(4u))) - H4(32.0)) * k;
  let q2 = (H4((la >> vec4<u32>(4u)) | (((hb >> vec4<u32>(4u)) & m3) << vec4<u32>(4u))) - H4(32.0)) * k;
  let q3 = (H4((lb >> vec4<u32>(4u)) | ((hb >> vec4<u32>(6u)) << vec4<u32>(4u))) - H4(32.0)) * k;
  let i = (x0 >> 2u) + 64u * b + 32u * h + j;
  let sum = f32(s0[t]) * f32(dot(q0, H4(X[i]))) + f32(s0[2u + t]) * f32(dot(q1, H4(X[i + 8u])))
    + f32(s1[t]) * f32(dot(q2, H4(X[i + 16u]))) + f32(s1[2u + t]) * f32(dot(q3, H4(X[i + 24u])));
  return 32.0 * d * sum;
}
