// Q8_0: 32 weights per block; body = 32 signed bytes; scale = f16 d. w[j] = q[j] * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 8u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var i = 0u; i < 8u; i++) {
    let v = bitcast<i32>(W[base + i]);
    for (var k = 0u; k < 4u; k++) {
      (*w)[4u * i + k] = f32(extractBits(v, k * 8u, 8u)) * d;
    }
  }
}

//!dot
// Matrix-vector form: a unit is half a block, 4 words (16 weights): words 4u.. of the row.
const UNIT: u32 = 16u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let i = (x0 >> 2u) + 4u * u;
  var s = 0.0;
  for (var p = 0u; p < 4u; p++) { s += dot(vec4<f32>(sbytes4(W[row + 4u * u + p])), X[i + p]); }
  return scale_f16(row, nb, u >> 1u, 0u) * s;
}

//!dot16
// The f16 path (kernels.ts splices this in instead of the part above where the device has shader-f16;
// H is f16 there, f32 where the tests run this code on adapters without it). The quants become H
// exactly, scaled by a power of two to at most 1 so that a 4-term dot of them with X rounded to H
// stays below f16's 65504 for |x| < 16384; each 4-term dot is in H, the sum and the scales in f32.
const UNIT: u32 = 16u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let i = (x0 >> 2u) + 4u * u;
  var s = 0.0;
  for (var p = 0u; p < 4u; p++) { s += f32(dot(H4(sbytes4(W[row + 4u * u + p])) * H(0.0078125), H4(X[i + p]))); }
  return 128.0 * scale_f16(row, nb, u >> 1u, 0u) * s;
}
