// F32 rows: 32 consecutive floats make a "block" for the kernels' loops (rows must be multiples of 32).
const QK: u32 = 32u;
const BODY_WORDS: u32 = 32u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 32u;
  for (var i = 0u; i < 32u; i++) { (*w)[i] = bitcast<f32>(W[base + i]); }
}
