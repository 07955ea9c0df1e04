// Q4_0: 32 weights per block; body = 16 bytes of nibbles, scale = f16 d.
// w[j] = (lo(q[j]) - 8) * d, w[j + 16] = (hi(q[j]) - 8) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = (f32(q & 15u) - 8.0) * d;
    (*w)[j + 16u] = (f32(q >> 4u) - 8.0) * d;
  }
}

//!dot
// Matrix-vector form: a unit is a block's 4 words of nibbles (bodies are contiguous: words 4u.. of the
// row, so consecutive invocations read consecutive 16 bytes). Byte j holds weight j in its low nibble
// and weight j + 16 in its high one.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let i = (x0 >> 2u) + 8u * u;
  var s = 0.0;
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[row + 4u * u + p]);
    let lo = vec4<f32>(n & vec4<u32>(15u)) - 8.0;
    let hi = vec4<f32>(n >> vec4<u32>(4u)) - 8.0;
    s += dot(lo, X[i + p]) + dot(hi, X[i + p + 4u]);
  }
  return scale_f16(row, nb, u, 0u) * s;
}

//!dot16
// The f16 path (kernels.ts splices this in instead of the part above where the device has shader-f16;
// H is f16 there, f32 where the tests run this code on adapters without it). The quants become H
// exactly, scaled by a power of two to at most 1 so that a 4-term dot of them with X rounded to H
// stays below f16's 65504 for |x| < 16384; each 4-term dot is in H, the sum and the scales in f32.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let i = (x0 >> 2u) + 8u * u;
  var s = 0.0;
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[row + 4u * u + p]);
    let lo = (H4(n & vec4<u32>(15u)) - H4(8.0)) * H(0.125);
    let hi = (H4(n >> vec4<u32>(4u)) - H4(8.0)) * H(0.125);
    s += f32(dot(lo, H4(X[i + p]))) + f32(dot(hi, H4(X[i + p + 4u])));
  }
  return 8.0 * scale_f16(row, nb, u, 0u) * s;
}
