// BF16 rows: 32 values (16 words) per "block"; a bf16 is the top half of an f32.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let v = W[base + i];
    (*w)[2u * i] = bitcast<f32>(v << 16u);
    (*w)[2u * i + 1u] = bitcast<f32>(v & 0xffff0000u);
  }
}
