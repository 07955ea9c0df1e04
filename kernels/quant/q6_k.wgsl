// Q6_K: 256 weights per block in 8 sub-blocks of 32; body = 128 bytes of low nibbles (ql), 64 bytes of
// high bit pairs (qh), 16 int8 scales; scale = f16 d (last in the ggml block).
// Sub-block s: half h = s / 4 (weights 128h..), quarter q = s % 4; for l < 32:
// ql byte 64h + l + 32(q & 1), high nibble when q >= 2; qh byte 32h + l, bits 2q..2q+1;
// w = d * scale[8h + 2q + l / 16] * (q6 - 32).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 52u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let h = s >> 2u;
  let q = s & 3u;
  let ql0 = 64u * h + 32u * (q & 1u);
  let lo_shift = select(0u, 4u, q >= 2u);
  for (var l = 0u; l < 32u; l++) {
    let lo = (byte_at(base, ql0 + l) >> lo_shift) & 15u;
    let hi = (byte_at(base, 128u + 32u * h + l) >> (2u * q)) & 3u;
    let sc = f32(extractBits(bitcast<i32>(byte_at(base, 192u + 8u * h + 2u * q + (l >> 4u))), 0u, 8u));
    (*w)[l] = d * sc * (f32(lo | (hi << 4u)) - 32.0);
  }
}
