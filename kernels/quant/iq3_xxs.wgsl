// IQ3_XXS: 256 weights per block in 8 sub-blocks of 32; body = 64 bytes of grid indices (8 a sub-block,
// 2 a group of 8 weights), then a word a sub-block: four 7-bit sign indices and a 4-bit scale (top bits);
// scale = f16 d. Group l of sub-block s: iq3xxs_grid[index 2l] and [index 2l + 1] (4 magnitudes each),
// sign byte ksigns(bits 7l..); w = d * (0.5 + scale) * 0.5 * magnitude * sign.
// The codebook is a WGSL const array indexed dynamically (iq2_xxs.wgsl says why).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 24u;
const SCALE_BYTES: u32 = 2u;

//!table iq3xxs_grid

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS;
  let aux = W[base + 16u + s];
  let db = scale_f16(row, nb, b, 0u) * (0.5 + f32(aux >> 28u)) * 0.5;
  for (var l = 0u; l < 4u; l++) {
    let signs = ksigns((aux >> (7u * l)) & 127u);
    let g1 = IQ3XXS_GRID[byte_at(base + 2u * s, 2u * l)];
    let g2 = IQ3XXS_GRID[byte_at(base + 2u * s, 2u * l + 1u)];
    for (var j = 0u; j < 8u; j++) {
      let m = (select(g1, g2, j >= 4u) >> (8u * (j & 3u))) & 255u;
      (*w)[8u * l + j] = db * f32(m) * select(1.0, -1.0, ((signs >> j) & 1u) == 1u);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block: its two words of indices (consecutive units read consecutive
// word pairs) and its word of signs and scale.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS;
  let q = vec2<u32>(W[base + 2u * s], W[base + 2u * s + 1u]);
  let aux = W[base + 16u + s];
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var acc = 0.0;
  for (var l = 0u; l < 4u; l++) {
    let signs = ksigns((aux >> (7u * l)) & 127u);
    let qw = q[l >> 1u] >> (16u * (l & 1u));
    acc += dot(vec4<f32>(bytes4(IQ3XXS_GRID[qw & 255u])) * sign4(signs), X[i + 2u * l])
      + dot(vec4<f32>(bytes4(IQ3XXS_GRID[(qw >> 8u) & 255u])) * sign4(signs >> 4u), X[i + 2u * l + 1u]);
  }
  return scale_f16(row, nb, b, 0u) * (0.5 + f32(aux >> 28u)) * 0.5 * acc;
}
