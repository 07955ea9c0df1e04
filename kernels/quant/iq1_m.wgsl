// IQ1_M: 256 weights per block in 8 sub-blocks of 32; no scale fields of their own (the whole block is
// body): 32 bytes of grid index low bits (four a sub-block, one a group of 8), 16 bytes of nibbles (one a
// group: 3 index high bits, then the sign of delta), 8 bytes of 3-bit scales as four u16 (sub-block s:
// bits 6(s % 2).. of u16 s / 2 for groups 0, 1, three bits higher for groups 2, 3) whose top nibbles make
// the block's f16 d. Group l of sub-block s: iq1s_grid[low | high << 8] (8 values -1, 0, 1);
// w = d * (2 * scale + 1) * (value ± 0.125).
// The codebook is a WGSL const array of nibbles (value + 1), indexed dynamically (iq2_xxs.wgsl says why).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 14u;
const SCALE_BYTES: u32 = 0u;

//!table iq1s_grid

// Values j = 0..3 (lo) and 4..7 (hi) of a nibble-packed iq1s_grid entry.
fn iq1_lo(g: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(g) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u)) - 1.0;
}
fn iq1_hi(g: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(g) >> vec4<u32>(16u, 20u, 24u, 28u)) & vec4<u32>(15u)) - 1.0;
}

// The block's d from the top nibbles of its four u16 scales (words 12 and 13 of the body).
fn iq1m_d(w12: u32, w13: u32) -> f32 {
  let h = ((w12 >> 12u) & 0xfu) | ((w12 >> 24u) & 0xf0u) | ((w13 >> 4u) & 0xf00u) | ((w13 >> 16u) & 0xf000u);
  return unpack2x16float(h).x;
}

// d * (2 * scale + 1) for groups 0, 1 (x) and 2, 3 (y) of sub-block s.
fn iq1m_dl(w12: u32, w13: u32, s: u32) -> vec2<f32> {
  let sc = select(w12, w13, s >= 4u) >> (16u * ((s >> 1u) & 1u) + 6u * (s & 1u));
  return iq1m_d(w12, w13) * vec2<f32>(f32(2u * (sc & 7u) + 1u), f32(2u * ((sc >> 3u) & 7u) + 1u));
}

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS;
  let qs = W[base + s];
  let qh = (W[base + 8u + (s >> 1u)] >> (16u * (s & 1u))) & 0xffffu;
  let dl = iq1m_dl(W[base + 12u], W[base + 13u], s);
  for (var l = 0u; l < 4u; l++) {
    let n = (qh >> (4u * l)) & 15u;
    let g = IQ1S_GRID[((qs >> (8u * l)) & 255u) | ((n & 7u) << 8u)];
    let delta = select(0.125, -0.125, (n & 8u) != 0u);
    let d = select(dl.x, dl.y, l >= 2u);
    let lo = iq1_lo(g);
    let hi = iq1_hi(g);
    for (var j = 0u; j < 4u; j++) {
      (*w)[8u * l + j] = d * (lo[j] + delta);
      (*w)[8u * l + 4u + j] = d * (hi[j] + delta);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block: its word of index low bits (consecutive units read
// consecutive words), its u16 of nibbles and the block's two words of scales.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS;
  let qs = W[base + s];
  let qh = (W[base + 8u + (s >> 1u)] >> (16u * (s & 1u))) & 0xffffu;
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var part = vec2<f32>(0.0);
  for (var l = 0u; l < 4u; l++) {
    let n = (qh >> (4u * l)) & 15u;
    let g = IQ1S_GRID[((qs >> (8u * l)) & 255u) | ((n & 7u) << 8u)];
    let delta = select(0.125, -0.125, (n & 8u) != 0u);
    let a = X[i + 2u * l];
    let c = X[i + 2u * l + 1u];
    let t = dot(iq1_lo(g), a) + dot(iq1_hi(g), c) + delta * dot(a + c, vec4<f32>(1.0));
    part += select(vec2<f32>(t, 0.0), vec2<f32>(0.0, t), l >= 2u);
  }
  return dot(iq1m_dl(W[base + 12u], W[base + 13u], s), part);
}
