// Q2_K: 256 weights per block in 16 sub-blocks of 16; body = 16 bytes of 4-bit scales (low nibble) and
// mins (high nibble), then 64 bytes of 2-bit quants; scales = f16 d, f16 dmin (last in the ggml block).
// Sub-block is = 8h + 2j + k (h, k < 2, j < 4) holds weights 128h + 32j + 16k + l (l < 16), bits 2j..
// of quant byte 32h + 16k + l: w = d * sc[is] * q - dmin * m[is].
const QK: u32 = 256u;
const BODY_WORDS: u32 = 20u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let base = row + b * BODY_WORDS;
  let h = s >> 2u;
  let j = s & 3u;
  for (var k = 0u; k < 2u; k++) {
    let sc = byte_at(base, 8u * h + 2u * j + k);
    let dl = dm.x * f32(sc & 15u);
    let ml = dm.y * f32(sc >> 4u);
    for (var l = 0u; l < 16u; l++) {
      let q = (byte_at(base, 16u + 32u * h + 16u * k + l) >> (2u * j)) & 3u;
      (*w)[16u * k + l] = dl * f32(q) - ml;
    }
  }
}

//!dot
// Matrix-vector form: a unit is 2 words of quants (8 units a block, consecutive units reading consecutive
// word pairs): unit v = u % 8 reads quant bytes 32h + 16k + 8f .. + 7 (h = v / 4, k = v / 2 % 2,
// f = v % 2), which hold 8 weights of each of the sub-blocks 8h + 2j + k (j < 4): 128h + 32j + 16k + 8f..
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let v = u & 7u;
  let h = v >> 2u;
  let k = (v >> 1u) & 1u;
  let base = row + b * BODY_WORDS;
  let q0 = bytes4(W[base + 4u + 2u * v]);
  let q1 = bytes4(W[base + 5u + 2u * v]);
  // scale bytes 8h + 2j + k: j = 0, 1 in word 2h, j = 2, 3 in word 2h + 1
  let sa = bytes4(W[base + 2u * h]);
  let sb = bytes4(W[base + 2u * h + 1u]);
  let sc = vec4<u32>(sa[k], sa[2u + k], sb[k], sb[2u + k]);
  let i = (x0 >> 2u) + 64u * b + 32u * h + 4u * k + 2u * (v & 1u);
  let m3 = vec4<u32>(3u);
  let ones = vec4<f32>(1.0);
  var qd = 0.0;
  var xm = 0.0;
  for (var j = 0u; j < 4u; j++) {
    let sh = vec4<u32>(2u * j);
    let a = X[i + 8u * j];
    let c = X[i + 8u * j + 1u];
    qd += f32(sc[j] & 15u) * (dot(vec4<f32>((q0 >> sh) & m3), a) + dot(vec4<f32>((q1 >> sh) & m3), c));
    xm += f32(sc[j] >> 4u) * dot(a + c, ones);
  }
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  return dm.x * qd - dm.y * xm;
}
