// mla_attention_combine: the second pass of flash-decoding. Merges the per-split softmax states that
// mla_attention_split.wgsl left (m_j, l_j, acc_j per head) into the attention output:
//   M = max_j m_j,  o_lat[h] = sum_j exp(m_j - M) acc_j / sum_j exp(m_j - M) l_j
// An empty split (l_j = 0, acc_j = 0) adds nothing.
//
// Bindings: 0 ACC_IN (f32 [H][smax][R], as vec4), 1 ML (f32: [0] the split count, then [H][smax][2] =
// m, l), 2 O (f32 out o_lat [1][H][R], as vec4), 3 P (r4 = R / 4, smax: the splits the buffers hold).
// Dispatch: (ceil(r4 / WG), H, 1) workgroups of WG; invocation i writes vec4 column i of head h.

struct Params { r4: u32, smax: u32 }

@group(0) @binding(0) var<storage, read> ACC_IN: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> ML: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> P: Params;

override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let d4 = gid.x;
  let h = gid.y;
  if (d4 >= P.r4) { return; }
  let splits = u32(ML[0]);
  var mx = -3.0e38;
  for (var j = 0u; j < splits; j++) { mx = max(mx, ML[1u + (h * P.smax + j) * 2u]); }
  var l = 0.0;
  var o = vec4<f32>(0.0);
  for (var j = 0u; j < splits; j++) {
    let slot = h * P.smax + j;
    let w = exp(ML[1u + slot * 2u] - mx);
    l += w * ML[2u + slot * 2u];
    o += w * ACC_IN[slot * P.r4 + d4];
  }
  O[h * P.r4 + d4] = o / l;
}
