// IQ3_S: 256 weights per block in 8 sub-blocks of 32; body = 64 bytes of grid index low bits (8 a
// sub-block, 2 a group of 8), 8 bytes of index high bits (one a sub-block: bits 2l and 2l + 1 for group
// l), 32 bytes of signs (one a group), 4 bytes of 4-bit scales (nibble s for sub-block s); scale = f16 d.
// Group l of sub-block s: iq3s_grid[index 2l] and [index 2l + 1] (4 magnitudes each);
// w = d * (1 + 2 * scale) * magnitude * sign.
// The codebook is a WGSL const array indexed dynamically (iq2_xxs.wgsl says why).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 27u;
const SCALE_BYTES: u32 = 2u;

//!table iq3s_grid

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS;
  let db = scale_f16(row, nb, b, 0u) * f32(1u + 2u * ((W[base + 26u] >> (4u * s)) & 15u));
  let qh = byte_at(base + 16u, s);
  let sg = W[base + 18u + s];
  for (var l = 0u; l < 4u; l++) {
    let g1 = IQ3S_GRID[byte_at(base + 2u * s, 2u * l) | (((qh >> (2u * l)) & 1u) << 8u)];
    let g2 = IQ3S_GRID[byte_at(base + 2u * s, 2u * l + 1u) | (((qh >> (2u * l + 1u)) & 1u) << 8u)];
    let signs = sg >> (8u * l);
    for (var j = 0u; j < 8u; j++) {
      let m = (select(g1, g2, j >= 4u) >> (8u * (j & 3u))) & 255u;
      (*w)[8u * l + j] = db * f32(m) * select(1.0, -1.0, ((signs >> j) & 1u) == 1u);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block: its two words of index low bits (consecutive units read
// consecutive word pairs), its word of signs, its byte of high bits and its scale nibble.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS;
  let q = vec2<u32>(W[base + 2u * s], W[base + 2u * s + 1u]);
  let qh = (W[base + 16u + (s >> 2u)] >> (8u * (s & 3u))) & 255u;
  let sg = W[base + 18u + s];
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var acc = 0.0;
  for (var l = 0u; l < 4u; l++) {
    let qw = q[l >> 1u] >> (16u * (l & 1u));
    let g1 = IQ3S_GRID[(qw & 255u) | (((qh >> (2u * l)) & 1u) << 8u)];
    let g2 = IQ3S_GRID[((qw >> 8u) & 255u) | (((qh >> (2u * l + 1u)) & 1u) << 8u)];
    let signs = sg >> (8u * l);
    acc += dot(vec4<f32>(bytes4(g1)) * sign4(signs), X[i + 2u * l]) + dot(vec4<f32>(bytes4(g2)) * sign4(signs >> 4u), X[i + 2u * l + 1u]);
  }
  return scale_f16(row, nb, b, 0u) * f32(1u + 2u * ((W[base + 26u] >> (4u * s)) & 15u)) * acc;
}
