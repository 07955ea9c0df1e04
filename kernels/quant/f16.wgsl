// F16 rows: 32 halves (16 words) per "block"; no scales.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let p = unpack2x16float(W[base + i]);
    (*w)[2u * i] = p.x;
    (*w)[2u * i + 1u] = p.y;
  }
}

//!dot
// Matrix-vector form: a unit is 8 halves, 4 consecutive words.
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let base = row + 4u * u;
  let i = (x0 >> 2u) + 2u * u;
  let w0 = vec4<f32>(unpack2x16float(W[base]), unpack2x16float(W[base + 1u]));
  let w1 = vec4<f32>(unpack2x16float(W[base + 2u]), unpack2x16float(W[base + 3u]));
  return dot(w0, X[i]) + dot(w1, X[i + 1u]);
}
