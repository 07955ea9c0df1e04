// BF16 rows: 32 values (16 words) per "block"; a bf16 is the top half of an f32.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let v = W[base + i];
    (*w)[2u * i] = bitcast<f32>(v << 16u);
    (*w)[2u * i + 1u] = bitcast<f32>(v & 0xffff0000u);
  }
}

//!dot
// Matrix-vector form: a unit is 8 bf16, 4 consecutive words.
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let base = row + 4u * u;
  let i = (x0 >> 2u) + 2u * u;
  let v0 = vec2<u32>(W[base], W[base + 1u]);
  let v1 = vec2<u32>(W[base + 2u], W[base + 3u]);
  let w0 = bitcast<vec4<f32>>(vec4<u32>(v0.x << 16u, v0.x & 0xffff0000u, v0.y << 16u, v0.y & 0xffff0000u));
  let w1 = bitcast<vec4<f32>>(vec4<u32>(v1.x << 16u, v1.x & 0xffff0000u, v1.y << 16u, v1.y & 0xffff0000u));
  return dot(w0, X[i]) + dot(w1, X[i + 1u]);
}
