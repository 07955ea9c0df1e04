// Q3_K: 256 weights per block in 16 sub-blocks of 16; body = 32 bytes of high bits (hmask), 64 bytes of
// 2-bit quants, 12 bytes of packed 6-bit scales; scale = f16 d (last in the ggml block).
// Sub-block is = 8h + 2j + k (h, k < 2, j < 4) holds weights 128h + 32j + 16k + l (l < 16): bits 2j.. of
// quant byte 32h + 16k + l, minus 4 where bit 4h + j of hmask byte 16k + l is clear:
// w = d * (scale[is] - 32) * q. Scale is (6 bits): nibble of byte is % 8 of the first 8 bytes (low
// nibble for is < 8), and bits 2(is / 4).. of byte 8 + is % 4 as its top 2 bits.
const QK: u32 = 256u;
const BODY_WORDS: u32 = 27u;
const SCALE_BYTES: u32 = 2u;

// Scale is - 32 from the three words of packed scales (a0, a1, t).
fn q3k_scale(a0: u32, a1: u32, t: u32, is: u32) -> f32 {
  let group = is >> 2u;
  let byte = 8u * (is & 3u);
  let lo = (select(a0, a1, (group & 1u) == 1u) >> (4u * (group >> 1u) + byte)) & 15u;
  let hi = (t >> (2u * group + byte)) & 3u;
  return f32(lo | (hi << 4u)) - 32.0;
}

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let a0 = W[base + 24u];
  let a1 = W[base + 25u];
  let t = W[base + 26u];
  let h = s >> 2u;
  let j = s & 3u;
  for (var k = 0u; k < 2u; k++) {
    let dl = d * q3k_scale(a0, a1, t, 8u * h + 2u * j + k);
    for (var l = 0u; l < 16u; l++) {
      let q = (byte_at(base, 32u + 32u * h + 16u * k + l) >> (2u * j)) & 3u;
      let hb = (byte_at(base, 16u * k + l) >> (4u * h + j)) & 1u;
      (*w)[16u * k + l] = dl * (f32(q) - select(4.0, 0.0, hb == 1u));
    }
  }
}

//!dot
// Matrix-vector form: a unit is 2 words of quants (8 units a block, consecutive units reading consecutive
// word pairs), as Q2_K's: unit v = u % 8 reads quant bytes 32h + 16k + 8f .. + 7 (h = v / 4, k = v / 2 % 2,
// f = v % 2) and hmask bytes 16k + 8f .. + 7, which hold 8 weights of each of the sub-blocks 8h + 2j + k.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let v = u & 7u;
  let h = v >> 2u;
  let k = (v >> 1u) & 1u;
  let f = v & 1u;
  let base = row + b * BODY_WORDS;
  let q0 = bytes4(W[base + 8u + 2u * v]);
  let q1 = bytes4(W[base + 9u + 2u * v]);
  let m0 = bytes4(W[base + 4u * k + 2u * f]);
  let m1 = bytes4(W[base + 4u * k + 2u * f + 1u]);
  let a0 = W[base + 24u];
  let a1 = W[base + 25u];
  let t = W[base + 26u];
  let i = (x0 >> 2u) + 64u * b + 32u * h + 4u * k + 2u * f;
  let m3 = vec4<u32>(3u);
  let one = vec4<u32>(1u);
  var acc = 0.0;
  for (var j = 0u; j < 4u; j++) {
    let sh = vec4<u32>(2u * j);
    let hs = vec4<u32>(4u * h + j);
    // q - 4 where the high bit is clear: q + 4 * bit - 4
    let wa = vec4<f32>(((q0 >> sh) & m3) + (((m0 >> hs) & one) << vec4<u32>(2u))) - 4.0;
    let wc = vec4<f32>(((q1 >> sh) & m3) + (((m1 >> hs) & one) << vec4<u32>(2u))) - 4.0;
    acc += q3k_scale(a0, a1, t, 8u * h + 2u * j + k) * (dot(wa, X[i + 8u * j]) + dot(wc, X[i + 8u * j + 1u]));
  }
  return scale_f16(row, nb, b, 0u) * acc;
}
