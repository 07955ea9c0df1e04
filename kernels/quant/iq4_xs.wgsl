// IQ4_XS: 256 weights per block in 8 sub-blocks of 32; body = 4 bytes of low scale nibbles (scales_l),
// then 128 bytes of nibbles (16 a sub-block) indexing kvalues_iq4nl; scales = f16 d and the u16 of
// high scale bit pairs (scales_h), one word. Sub-block s: ls = nibble s of scales_l | pair s of scales_h
// << 4; w[32s + j] = d * (ls - 32) * kv[lo(q[16s + j])], w[32s + 16 + j] = ... kv[hi(q[16s + j])].
const QK: u32 = 256u;
const BODY_WORDS: u32 = 33u;
const SCALE_BYTES: u32 = 4u;

//!table kvalues_iq4nl

// d * (ls - 32) of sub-block s of block b.
fn iq4xs_scale(row: u32, nb: u32, b: u32, s: u32) -> f32 {
  let sw = W[row + nb * BODY_WORDS + b];
  let lo = (W[row + b * BODY_WORDS] >> (4u * s)) & 15u;
  let hi = (sw >> (16u + 2u * s)) & 3u;
  return unpack2x16float(sw).x * (f32(lo | (hi << 4u)) - 32.0);
}

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let dl = iq4xs_scale(row, nb, b, s);
  let base = row + b * BODY_WORDS + 1u + 4u * s;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = dl * KVALUES_IQ4NL[q & 15u];
    (*w)[j + 16u] = dl * KVALUES_IQ4NL[q >> 4u];
  }
}

//!dot
// Matrix-vector form: a unit is a sub-block's 4 words of nibbles (8 units a block, each reading the
// 16 bytes after the previous one's), laid out as IQ4_NL's block.
const UNIT: u32 = 32u;

fn iq4xs_levels(n: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(KVALUES_IQ4NL[n.x], KVALUES_IQ4NL[n.y], KVALUES_IQ4NL[n.z], KVALUES_IQ4NL[n.w]);
}

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let s = u & 7u;
  let base = row + b * BODY_WORDS + 1u + 4u * s;
  let i = (x0 >> 2u) + 64u * b + 8u * s;
  var acc = 0.0;
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[base + p]);
    acc += dot(iq4xs_levels(n & vec4<u32>(15u)), X[i + p]) + dot(iq4xs_levels(n >> vec4<u32>(4u)), X[i + p + 4u]);
  }
  return iq4xs_scale(row, nb, b, s) * acc;
}
