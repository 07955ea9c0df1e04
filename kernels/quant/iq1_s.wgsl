// IQ1_S: 256 weights per block in 8 sub-blocks of 32; body = 32 bytes of grid index low bits (four a
// sub-block, one a group of 8), then a u16 a sub-block: three 3-bit index highs (bits 3l.. for group l),
// a 3-bit scale (bits 12..14) and the sign of delta (bit 15); scale = f16 d. Group l of sub-block s:
// iq1s_grid[low | high << 8] (8 values -1, 0, 1); w = d * (2 * scale + 1) * (value ± 0.125).
// The codebook is a WGSL const array of nibbles (value + 1), indexed dynamically (iq2_xxs.wgsl says why).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 12u;
const SCALE_BYTES: u32 = 2u;

//!table iq1s_grid

// Values j = 0..3 (lo) and 4..7 (hi) of a nibble-packed iq1s_grid entry.
fn iq1_lo(g: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(g) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u)) - 1.0;
}
fn iq1_hi(g: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(g) >> vec4<u32>(16u, 20u, 24u, 28u)) & vec4<u32>(15u)) - 1.0;
}

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS;
  let qs = W[base + s];
  let qh = (W[base + 8u + (s >> 1u)] >> (16u * (s & 1u))) & 0xffffu;
  let dl = scale_f16(row, nb, b, 0u) * f32(2u * ((qh >> 12u) & 7u) + 1u);
  let delta = select(0.125, -0.125, (qh & 0x8000u) != 0u);
  for (var l = 0u; l < 4u; l++) {
    let g = IQ1S_GRID[((qs >> (8u * l)) & 255u) | (((qh >> (3u * l)) & 7u) << 8u)];
    let lo = iq1_lo(g);
    let hi = iq1_hi(g);
    for (var j = 0u; j < 4u; j++) {
      (*w)[8u * l + j] = dl * (lo[j] + delta);
      (*w)[8u * l + 4u + j] = dl * (hi[j] + delta);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block: its word of index low bits (consecutive units read
// consecutive words) and its u16 of highs, scale and delta sign.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS;
  let qs = W[base + s];
  let qh = (W[base + 8u + (s >> 1u)] >> (16u * (s & 1u))) & 0xffffu;
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var acc = 0.0;
  var xs = vec4<f32>(0.0);
  for (var l = 0u; l < 4u; l++) {
    let g = IQ1S_GRID[((qs >> (8u * l)) & 255u) | (((qh >> (3u * l)) & 7u) << 8u)];
    let a = X[i + 2u * l];
    let c = X[i + 2u * l + 1u];
    acc += dot(iq1_lo(g), a) + dot(iq1_hi(g), c);
    xs += a + c;
  }
  let delta = select(0.125, -0.125, (qh & 0x8000u) != 0u);
  let dl = scale_f16(row, nb, b, 0u) * f32(2u * ((qh >> 12u) & 7u) + 1u);
  return dl * (acc + delta * dot(xs, vec4<f32>(1.0)));
}
