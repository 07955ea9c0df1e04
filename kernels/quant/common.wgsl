// Shared helpers for the per-type decoders (kernels/quant/*.wgsl).
//
// Every decoder reads weights in the stored row layout (workers/store/layout.ts): a row of nb blocks is
// the nb block bodies, then the nb scale fields (f16 values, SCALE_BYTES per block), 4-byte aligned.
// `row` is the u32 index of the row's first word in W, which the including kernel binds.
//
// A decoder file has two parts (workers/runtime/kernels.ts splices in what a kernel asks for):
// - decode32(row, nb, b, s, &w): the 32 weights of sub-block s of block b, for any kernel;
// - after its `//!dot` line, UNIT and dot_unit(row, nb, u, x0): the dot product of the row's unit u
//   (its weights u*UNIT.., decoded from whole words) with X[x0 + u*UNIT ..], for the matrix-vector
//   kernels, which bind X as array<vec4<f32>> (x0 a multiple of 4). Units are laid out so that
//   consecutive units sit in consecutive words wherever the type's layout allows.

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

// The four bytes of a word, byte 0 first.
fn bytes4(v: u32) -> vec4<u32> {
  return (vec4<u32>(v) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(255u);
}

// The four bytes of a word as signed bytes, byte 0 first.
fn sbytes4(v: u32) -> vec4<i32> {
  return (vec4<i32>(bitcast<i32>(v)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);
}

// The sign byte of a 7-bit sign index of IQ2_XXS, IQ2_XS and IQ3_XXS: ggml's ksigns_iq2xs[i], which is
// i with bit 7 set where that makes the count of set bits even (tests/unit/quants.test.ts checks this
// against the table), computed rather than looked up.
fn ksigns(i: u32) -> u32 {
  return i | ((countOneBits(i) & 1u) << 7u);
}

// +1 or -1 for bits 0..3 of `s`: a set bit negates.
fn sign4(s: u32) -> vec4<f32> {
  return 1.0 - 2.0 * vec4<f32>((vec4<u32>(s) >> vec4<u32>(0u, 1u, 2u, 3u)) & vec4<u32>(1u));
}
