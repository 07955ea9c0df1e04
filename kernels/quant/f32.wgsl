// F32 rows: 32 consecutive floats make a "block" for the kernels' loops (rows must be multiples of 32).
const QK: u32 = 32u;
const BODY_WORDS: u32 = 32u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 32u;
  for (var i = 0u; i < 32u; i++) { (*w)[i] = bitcast<f32>(W[base + i]); }
}

//!dot
// Matrix-vector form: a unit is one vec4 of weights, 4 consecutive words.
const UNIT: u32 = 4u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let base = row + 4u * u;
  let w = bitcast<vec4<f32>>(vec4<u32>(W[base], W[base + 1u], W[base + 2u], W[base + 3u]));
  return dot(w, X[(x0 >> 2u) + u]);
}
