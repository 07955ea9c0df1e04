// Q5_0: 32 weights per block; body = 4 bytes of high bits (qh) then 16 bytes of nibbles; scale = f16 d.
// w[j] = ((lo(q[j]) | bit j of qh << 4) - 16) * d, w[j + 16] = ((hi(q[j]) | bit j+16 of qh << 4) - 16) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 5u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let qh = W[base];
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base + 1u, j);
    let h0 = ((qh >> j) & 1u) << 4u;
    let h1 = ((qh >> (j + 16u)) & 1u) << 4u;
    (*w)[j] = (f32((q & 15u) | h0) - 16.0) * d;
    (*w)[j + 16u] = (f32((q >> 4u) | h1) - 16.0) * d;
  }
}
