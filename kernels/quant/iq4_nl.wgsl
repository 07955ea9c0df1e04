// IQ4_NL: 32 weights per block; body = 16 bytes of nibbles, each an index into ggml's 16 non-linear
// levels (kvalues_iq4nl); scale = f16 d. w[j] = d * kv[lo(q[j])], w[j + 16] = d * kv[hi(q[j])].
// The levels are a WGSL const array indexed dynamically (see iq2_xxs.wgsl for why const arrays).
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 2u;

//!table kvalues_iq4nl

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = d * KVALUES_IQ4NL[q & 15u];
    (*w)[j + 16u] = d * KVALUES_IQ4NL[q >> 4u];
  }
}

//!dot
// Matrix-vector form: as Q4_0's, a unit is a block's 4 words of nibbles (consecutive invocations read
// consecutive 16 bytes); byte j holds weight j (low nibble) and j + 16 (high).
const UNIT: u32 = 32u;

fn iq4nl_levels(n: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(KVALUES_IQ4NL[n.x], KVALUES_IQ4NL[n.y], KVALUES_IQ4NL[n.z], KVALUES_IQ4NL[n.w]);
}

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let i = (x0 >> 2u) + 8u * u;
  var s = 0.0;
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[row + 4u * u + p]);
    s += dot(iq4nl_levels(n & vec4<u32>(15u)), X[i + p]) + dot(iq4nl_levels(n >> vec4<u32>(4u)), X[i + p + 4u]);
  }
  return scale_f16(row, nb, u, 0u) * s;
}
