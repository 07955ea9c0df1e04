// Q4_1: 32 weights per block; body = 16 bytes of nibbles, scales = f16 d, f16 m.
// w[j] = lo(q[j]) * d + m, w[j + 16] = hi(q[j]) * d + m.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let m = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = f32(q & 15u) * d + m;
    (*w)[j + 16u] = f32(q >> 4u) * d + m;
  }
}

//!dot
// Matrix-vector form: as Q4_0's (a unit is one word of nibbles), plus m times the sum of x.
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 2u;
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let n = bytes4(W[row + u]);
  let i = (x0 >> 2u) + 8u * b + (u & 3u);
  let xl = X[i];
  let xh = X[i + 4u];
  let q = dot(vec4<f32>(n & vec4<u32>(15u)), xl) + dot(vec4<f32>(n >> vec4<u32>(4u)), xh);
  return dm.x * q + dm.y * dot(xl + xh, vec4<f32>(1.0));
}
