// Q8_0: 32 weights per block; body = 32 signed bytes; scale = f16 d. w[j] = q[j] * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 8u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var i = 0u; i < 8u; i++) {
    let v = bitcast<i32>(W[base + i]);
    for (var k = 0u; k < 4u; k++) {
      (*w)[4u * i + k] = f32(extractBits(v, k * 8u, 8u)) * d;
    }
  }
}
