// Q5_1: 32 weights per block; body = 4 bytes of high bits (qh) then 16 bytes of nibbles; scales = f16 d,
// f16 m (one word). w[j] = (lo(q[j]) | bit j of qh << 4) * d + m, w[j + 16] = (hi(q[j]) | bit j+16 << 4) * d + m.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 5u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let base = row + b * BODY_WORDS;
  let qh = W[base];
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base + 1u, j);
    let h0 = ((qh >> j) & 1u) << 4u;
    let h1 = ((qh >> (j + 16u)) & 1u) << 4u;
    (*w)[j] = f32((q & 15u) | h0) * dm.x + dm.y;
    (*w)[j + 16u] = f32((q >> 4u) | h1) * dm.x + dm.y;
  }
}

//!dot
// Matrix-vector form: as Q5_0's (a unit is one word of nibbles with its 8 high bits from qh: weights
// 4p.. and 16 + 4p..), plus m times the sum of x.
const UNIT: u32 = 8u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 2u;
  let p = u & 3u;
  let base = row + b * BODY_WORDS;
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let n = bytes4(W[base + 1u + p]);
  let h = vec4<u32>(W[base] >> (4u * p)) >> vec4<u32>(0u, 1u, 2u, 3u);
  let i = (x0 >> 2u) + 8u * b + p;
  let lo = vec4<f32>((n & vec4<u32>(15u)) | ((h & vec4<u32>(1u)) << vec4<u32>(4u)));
  let hi = vec4<f32>((n >> vec4<u32>(4u)) | (((h >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u)));
  let xl = X[i];
  let xh = X[i + 4u];
  return dm.x * (dot(lo, xl) + dot(hi, xh)) + dm.y * dot(xl + xh, vec4<f32>(1.0));
}
