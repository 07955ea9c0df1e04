// Q4_K: 256 weights per block in 8 sub-blocks of 32; body = 12 bytes of packed 6-bit scales and mins,
// then 128 bytes of nibbles; scales = f16 d, f16 dmin.
// Sub-block s uses bytes [32*(s/2), +32) of the nibbles, low nibbles when s is even, high when odd:
// w = d * sc[s] * q - dmin * m[s].
const QK: u32 = 256u;
const BODY_WORDS: u32 = 35u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let dmin = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  var sc: u32;
  var mn: u32;
  if (s < 4u) {
    sc = byte_at(base, s) & 63u;
    mn = byte_at(base, s + 4u) & 63u;
  } else {
    sc = (byte_at(base, s + 4u) & 15u) | ((byte_at(base, s - 4u) >> 6u) << 4u);
    mn = (byte_at(base, s + 4u) >> 4u) | ((byte_at(base, s) >> 6u) << 4u);
  }
  let d1 = d * f32(sc);
  let m1 = dmin * f32(mn);
  let shift = (s & 1u) * 4u;
  let q0 = 12u + (s >> 1u) * 32u;
  for (var l = 0u; l < 32u; l++) {
    (*w)[l] = d1 * f32((byte_at(base, q0 + l) >> shift) & 15u) - m1;
  }
}
