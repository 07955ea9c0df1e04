// F16 rows: 32 halves (16 words) per "block"; no scales.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let p = unpack2x16float(W[base + i]);
    (*w)[2u * i] = p.x;
    (*w)[2u * i + 1u] = p.y;
  }
}
