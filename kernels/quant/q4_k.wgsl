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

// Sub-block j's 6-bit scale and min from the three words of packed scales (both dot_unit forms).
fn q4k_scale_min(s: vec3<u32>, j: u32) -> vec2<f32> {
  let a = bytes4(s.x)[j & 3u];
  let m = bytes4(s.y)[j & 3u];
  let c = bytes4(s.z)[j & 3u];
  let low = vec2<u32>(a & 63u, m & 63u);
  let high = vec2<u32>((c & 15u) | ((a >> 6u) << 4u), (c >> 4u) | ((m >> 6u) << 4u));
  return vec2<f32>(select(high, low, j < 4u));
}

//!dot
// Matrix-vector form: a unit is 4 words of nibbles (8 units a block): unit v = u % 8 reads nibble words
// 4v.., i.e. bytes l = 16(v % 2).. of 32-byte group g = v / 2, which hold weights 64g + l.. (sub-block
// 2g, low nibbles) and 64g + 32 + l.. (sub-block 2g + 1, high nibbles).
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let v = u & 7u;
  let g = v >> 1u;
  let base = row + b * BODY_WORDS;
  let s = vec3<u32>(W[base], W[base + 1u], W[base + 2u]);
  let i = (x0 >> 2u) + 64u * b + 16u * g + 4u * (v & 1u);
  var ql = 0.0;
  var qh = 0.0;
  var xl = vec4<f32>(0.0);
  var xh = vec4<f32>(0.0);
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[base + 3u + 4u * v + p]);
    let a = X[i + p];
    let c = X[i + p + 8u];
    ql += dot(vec4<f32>(n & vec4<u32>(15u)), a);
    qh += dot(vec4<f32>(n >> vec4<u32>(4u)), c);
    xl += a;
    xh += c;
  }
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let sm0 = q4k_scale_min(s, 2u * g);
  let sm1 = q4k_scale_min(s, 2u * g + 1u);
  let one = vec4<f32>(1.0);
  return dm.x * (sm0.x * ql + sm1.x * qh) - dm.y * (sm0.y * dot(xl, one) + sm1.y * dot(xh, one));
}

//!dot16
// The f16 path (kernels.ts splices this in instead of the part above where the device has shader-f16;
// H is f16 there, f32 where the tests run this code on adapters without it). The quants become H
// exactly, scaled by a power of two to at most 1 so that a 4-term dot of them with X rounded to H
// stays below f16's 65504 for |x| < 16384; each 4-term dot is in H, the sum and the scales in f32.
const UNIT: u32 = 32u;

fn dot_unit(row: u32, nb: u32, u: u32, x0: u32) -> f32 {
  let b = u >> 3u;
  let v = u & 7u;
  let g = v >> 1u;
  let base = row + b * BODY_WORDS;
  let s = vec3<u32>(W[base], W[base + 1u], W[base + 2u]);
  let i = (x0 >> 2u) + 64u * b + 16u * g + 4u * (v & 1u);
  var ql = 0.0;
  var qh = 0.0;
  var xl = vec4<f32>(0.0);
  var xh = vec4<f32>(0.0);
  for (var p = 0u; p < 4u; p++) {
    let n = bytes4(W[base + 3u + 4u * v + p]);
    let a = X[i + p];
    let c = X[i + p + 8u];
    ql += f32(dot(H4(n & vec4<u32>(15u)) * H(0.0625), H4(a)));
    qh += f32(dot(H4(n >> vec4<u32>(4u)) * H(0.0625), H4(c)));
    xl += a;
    xh += c;
  }
  let dm = unpack2x16float(W[row + nb * BODY_WORDS + b]);
  let sm0 = q4k_scale_min(s, 2u * g);
  let sm1 = q4k_scale_min(s, 2u * g + 1u);
  let one = vec4<f32>(1.0);
  return dm.x * 16.0 * (sm0.x * ql + sm1.x * qh) - dm.y * (sm0.y * dot(xl, one) + sm1.y * dot(xh, one));
}
