// Q4_0: 32 weights per block; body = 16 bytes of nibbles, scale = f16 d.
// w[j] = (lo(q[j]) - 8) * d, w[j + 16] = (hi(q[j]) - 8) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = (f32(q & 15u) - 8.0) * d;
    (*w)[j + 16u] = (f32(q >> 4u) - 8.0) * d;
  }
}
