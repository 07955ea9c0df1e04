// mla_attention_split: the first pass of flash-decoding for a decode step (one token at position
// p = pos0): the context 0 .. p is split into `splits` ranges, and each workgroup (split j, head h)
// computes, over its range alone, the partial softmax state of mla_attention.wgsl's formula:
//   m = max_s score(s),  l = sum_s exp(score(s) - m),  acc = sum_s exp(score(s) - m) * kv_cmpr[s]
// mla_attention_combine.wgsl then merges the splits into o_lat. The ranges are ceil(ceil(n / splits)
// / WG) * WG positions long (whole chunks of WG), so a split may be empty (m = -3e38, l = 0).
// Within a range, WG positions at a time: one score per invocation, then the chunk's max and sum by
// a tree reduction in workgroup memory, then the weighted sum with each invocation owning R4 / WG
// vec4 columns.
//
// Bindings: 0 QA (f32 q_abs [1][H][R], as vec4), 1 QP (f32 roped q_pe, as vec4), 2 C (the KV cache,
// KvWord rows: kv/f32 or kv/f16), 3 ACC_OUT (f32 [H][SMAX][R], as vec4), 4 ML (f32: [0] the split
// count, then [H][SMAX][2] = m, l), 5 P (common/mla_params), 6 S (step: T = 1, pos0).
// Dispatch: (splits, H, 1) workgroups of WG (a power of two); splits <= SMAX. Overrides (Ops.attention):
// WG, R4 = R / 4, LAT4 = (R + n_rot) / 4, ACC = ceil(R4 / WG) (at most MAX_ACC), SMAX.

//!include common/mla_params
//!include common/step
//!include kv

@group(0) @binding(0) var<storage, read> QA: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> QP: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> C: array<KvWord>;
@group(0) @binding(3) var<storage, read_write> ACC_OUT: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> ML: array<f32>;
@group(0) @binding(5) var<uniform> P: Params;
@group(0) @binding(6) var<uniform> S: Step;

override WG: u32;
override R4: u32;
override LAT4: u32;
override ACC: u32;
override SMAX: u32;

const MAX_ACC = 8u;
const NEG = -3.0e38;

var<workgroup> qv: array<vec4<f32>, LAT4>;
var<workgroup> pr: array<f32, WG>;
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = wg.x;
  let h = wg.y;
  let splits = nwg.x;
  let n = S.pos0 + 1u;
  let len = ((n + splits - 1u) / splits + WG - 1u) / WG * WG;
  let begin = min(n, j * len);
  let end = min(n, begin + len);
  let rot4 = LAT4 - R4;
  for (var i = lid; i < R4; i += WG) { qv[i] = QA[h * R4 + i]; }
  let qp = (P.q_base + h * P.q_head) / 4u;
  for (var i = lid; i < rot4; i += WG) { qv[R4 + i] = QP[qp + i]; }
  workgroupBarrier();

  var acc: array<vec4<f32>, MAX_ACC>;
  for (var a = 0u; a < ACC; a++) { acc[a] = vec4<f32>(0.0); }
  var m = NEG;
  var l = 0.0;
  for (var c0 = begin; c0 < end; c0 += WG) {
    let s = c0 + lid;
    let valid = s < end;
    var score = NEG;
    if (valid) {
      var d = vec4<f32>(0.0);
      let row = s * LAT4;
      for (var i = 0u; i < LAT4; i++) { d += qv[i] * kv_unpack4(C[row + i]); }
      score = (d.x + d.y + d.z + d.w) * P.scale;
    }
    // the chunk's max (a tree over WG) ...
    red[lid] = score;
    workgroupBarrier();
    for (var w = WG / 2u; w > 0u; w >>= 1u) {
      if (lid < w) { red[lid] = max(red[lid], red[lid + w]); }
      workgroupBarrier();
    }
    let cm = max(m, red[0]);
    workgroupBarrier(); // red[0] read by all before it is reused
    // ... the weights and their sum ...
    let p = select(0.0, exp(score - cm), valid);
    pr[lid] = p;
    red[lid] = p;
    workgroupBarrier();
    for (var w = WG / 2u; w > 0u; w >>= 1u) {
      if (lid < w) { red[lid] += red[lid + w]; }
      workgroupBarrier();
    }
    let f = exp(m - cm);
    l = l * f + red[0];
    m = cm;
    // ... and the weighted sum of the chunk's kv_cmpr rows
    let rows = min(WG, end - c0);
    for (var a = 0u; a < ACC; a++) {
      let d4 = lid + a * WG;
      if (d4 < R4) {
        var v = acc[a] * f;
        for (var k = 0u; k < rows; k++) { v += pr[k] * kv_unpack4(C[(c0 + k) * LAT4 + d4]); }
        acc[a] = v;
      }
    }
    workgroupBarrier(); // pr and red are reused by the next chunk
  }

  let slot = h * SMAX + j;
  for (var a = 0u; a < ACC; a++) {
    let d4 = lid + a * WG;
    if (d4 < R4) { ACC_OUT[slot * R4 + d4] = acc[a]; }
  }
  if (lid == 0u) {
    ML[1u + slot * 2u] = m;
    ML[2u + slot * 2u] = l;
    if (j == 0u && h == 0u) { ML[0] = f32(splits); }
  }
}
