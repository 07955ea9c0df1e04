// Shared helpers for the per-type decoders (kernels/quant/*.wgsl).
//
// Every decoder reads weights in the stored row layout (workers/store/layout.ts): a row of nb blocks is
// the nb block bodies, then the nb scale fields (f16 values, SCALE_BYTES per block), 4-byte aligned.
// `row` is the u32 index of the row's first word in W, which the including kernel binds.

// Byte `i` of the bytes that start at word `base`.
fn byte_at(base: u32, i: u32) -> u32 {
  return (W[base + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
}

// The k-th f16 of block b's scale fields, as f32.
fn scale_f16(row: u32, nb: u32, b: u32, k: u32) -> f32 {
  let byte_off = nb * BODY_WORDS * 4u + b * SCALE_BYTES + k * 2u;
  let pair = unpack2x16float(W[row + (byte_off >> 2u)]);
  return select(pair.x, pair.y, (byte_off & 2u) != 0u);
}
