// IQ2_S: 256 weights per block in 8 sub-blocks of 32; body = 32 bytes of grid index low bits (four a
// sub-block), 32 bytes of signs (four a sub-block, one a group of 8), 8 bytes of index high bit pairs
// (one a sub-block: bits 2l.. for group l), 8 bytes of scales (one a sub-block: low nibble for groups 0
// and 1, high for 2 and 3); scale = f16 d. Group l of sub-block s: iq2s_grid[low | high << 8] (8
// magnitudes); w = d * (0.5 + scale) * 0.25 * magnitude * sign.
// The codebook is a WGSL const array indexed dynamically (iq2_xxs.wgsl says why).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 20u;
const SCALE_BYTES: u32 = 2u;

//!table iq2s_grid

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS;
  let d = scale_f16(row, nb, b, 0u);
  let qs = W[base + s];
  let sg = W[base + 8u + s];
  let qh = byte_at(base + 16u, s);
  let sc = byte_at(base + 18u, s);
  for (var l = 0u; l < 4u; l++) {
    let db = d * (0.5 + f32((sc >> (4u * (l >> 1u))) & 15u)) * 0.25;
    let g = 2u * (((qs >> (8u * l)) & 255u) | (((qh >> (2u * l)) & 3u) << 8u));
    let signs = sg >> (8u * l);
    for (var j = 0u; j < 8u; j++) {
      let m = (IQ2S_GRID[g + (j >> 2u)] >> (8u * (j & 3u))) & 255u;
      (*w)[8u * l + j] = db * f32(m) * select(1.0, -1.0, ((signs >> j) & 1u) == 1u);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block: its word of index low bits, its word of signs (consecutive
// units read consecutive words of each), its bytes of high bits and scale.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS;
  let qs = W[base + s];
  let sg = W[base + 8u + s];
  let qh = (W[base + 16u + (s >> 2u)] >> (8u * (s & 3u))) & 255u;
  let sc = (W[base + 18u + (s >> 2u)] >> (8u * (s & 3u))) & 255u;
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var part = vec2<f32>(0.0);
  for (var l = 0u; l < 4u; l++) {
    let g = 2u * (((qs >> (8u * l)) & 255u) | (((qh >> (2u * l)) & 3u) << 8u));
    let signs = sg >> (8u * l);
    let t = dot(vec4<f32>(bytes4(IQ2S_GRID[g])) * sign4(signs), X[i + 2u * l])
      + dot(vec4<f32>(bytes4(IQ2S_GRID[g + 1u])) * sign4(signs >> 4u), X[i + 2u * l + 1u]);
    part += select(vec2<f32>(t, 0.0), vec2<f32>(0.0, t), l >= 2u);
  }
  let d = scale_f16(row, nb, b, 0u);
  let db = d * (0.5 + vec2<f32>(f32(sc & 15u), f32(sc >> 4u))) * 0.25;
  return dot(db, part);
}
