// IQ2_XXS: 256 weights per block in 8 sub-blocks of 32; body = two words a sub-block: four grid indices
// (bytes of the first), then four 7-bit sign indices and a 4-bit scale (top bits of the second); scale =
// f16 d. Group l (8 weights) of sub-block s: iq2xxs_grid[index l] (8 magnitudes), sign byte
// ksigns(bits 7l.. of the second word); w = d * (0.5 + scale) * 0.25 * magnitude * sign.
//
// The codebook is a WGSL const array (runtime/quant-tables-wgsl.ts) indexed dynamically. Measured on
// SwiftShader (2M dynamic lookups of a 2048-word table): const array 24 ms, module-scope private copy
// 22 ms, a storage buffer binding 20 ms, a workgroup copy filled at the start 47 ms (and 1.5 s more to
// compile), no lookup 10 ms. The const array is as fast as a binding without changing any kernel's
// bindings or the runtime's bind groups, and compiles in a third of a second.
const QK: u32 = 256u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 2u;

//!table iq2xxs_grid

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * BODY_WORDS + 2u * s;
  let a0 = W[base];
  let a1 = W[base + 1u];
  let db = scale_f16(row, nb, b, 0u) * (0.5 + f32(a1 >> 28u)) * 0.25;
  for (var l = 0u; l < 4u; l++) {
    let g = 2u * ((a0 >> (8u * l)) & 255u);
    let signs = ksigns((a1 >> (7u * l)) & 127u);
    for (var j = 0u; j < 8u; j++) {
      let m = (IQ2XXS_GRID[g + (j >> 2u)] >> (8u * (j & 3u))) & 255u;
      (*w)[8u * l + j] = db * f32(m) * select(1.0, -1.0, ((signs >> j) & 1u) == 1u);
    }
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block, its two words (8 units a block; consecutive units read
// consecutive word pairs).
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS + 2u * s;
  let a0 = W[base];
  let a1 = W[base + 1u];
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var acc = 0.0;
  for (var l = 0u; l < 4u; l++) {
    let g = 2u * ((a0 >> (8u * l)) & 255u);
    let signs = ksigns((a1 >> (7u * l)) & 127u);
    acc += dot(vec4<f32>(bytes4(IQ2XXS_GRID[g])) * sign4(signs), X[i + 2u * l])
      + dot(vec4<f32>(bytes4(IQ2XXS_GRID[g + 1u])) * sign4(signs >> 4u), X[i + 2u * l + 1u]);
  }
  return scale_f16(row, nb, b, 0u) * (0.5 + f32(a1 >> 28u)) * 0.25 * acc;
}
