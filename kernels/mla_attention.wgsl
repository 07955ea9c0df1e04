// mla_attention: absorbed multi-head latent attention over the latent KV cache, causal.
//
// For head h and token t at position p = pos0 + t, over cached positions s <= p:
//   score(s) = scale * (q_abs[t][h] . kv_cmpr[s] + q_pe[t][h] . k_pe[s])
//   o_lat[t][h] = sum_s softmax(score)(s) * kv_cmpr[s]
// (q_abs = wk_b^T q_nope is computed before; o = wv_b o_lat after.) The softmax is online over chunks
// of WG positions, so any context length works without scratch memory.
//
// Bindings: 0 QA (f32 q_abs [T][H][R]), 1 QP (f32, the roped q_pe), 2 C (f32 KV cache
// [n_ctx][R + n_rot] = kv_cmpr | k_pe), 3 O (f32 out o_lat [T][H][R]), 4 P, 5 S (step: T, pos0).
// Layout: q_pe of token t, head h is QP[q_base + t*q_stride + h*q_head + i], i < n_rot.
// Dispatch: (T, H, 1) workgroups of WG. LATENT = R + n_rot, set when the pipeline is made, sizes the
// workgroup memory: the query (LATENT floats) and this head's output accumulators (R floats).

struct Params { R: u32, n_rot: u32, H: u32, q_base: u32, q_stride: u32, q_head: u32, scale: f32 }
//!include common/step

@group(0) @binding(0) var<storage, read> QA: array<f32>;
@group(0) @binding(1) var<storage, read> QP: array<f32>;
@group(0) @binding(2) var<storage, read> C: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<uniform> S: Step;

// Invocations per workgroup (positions per chunk) and floats per cache row: set by Ops.
override WG: u32;
override LATENT: u32;

var<workgroup> qv: array<f32, LATENT>;
// acc[d] belongs to invocation d % WG alone, so it needs no barrier.
var<workgroup> acc: array<f32, LATENT>;
var<workgroup> pr: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let h = wg.y;
  if (t >= S.T) { return; }
  let R = P.R;
  let row = R + P.n_rot;
  let qa = (t * P.H + h) * R;
  for (var i = lid; i < R; i += WG) { qv[i] = QA[qa + i]; acc[i] = 0.0; }
  for (var i = lid; i < P.n_rot; i += WG) { qv[R + i] = QP[P.q_base + t * P.q_stride + h * P.q_head + i]; }
  workgroupBarrier();

  let n = S.pos0 + t + 1u; // causal: positions 0 .. p
  var m = -3.0e38;
  var l = 0.0;
  for (var c0 = 0u; c0 < n; c0 += WG) {
    let s = c0 + lid;
    var score = -3.0e38;
    if (s < n) {
      var dot = 0.0;
      let co = s * row;
      for (var i = 0u; i < row; i++) { dot += qv[i] * C[co + i]; }
      score = dot * P.scale;
    }
    pr[lid] = score;
    workgroupBarrier();
    var cm = m;
    for (var j = 0u; j < WG; j++) { cm = max(cm, pr[j]); }
    workgroupBarrier();
    pr[lid] = select(0.0, exp(score - cm), s < n);
    workgroupBarrier();
    let f = exp(m - cm);
    var lsum = 0.0;
    for (var j = 0u; j < WG; j++) { lsum += pr[j]; }
    l = l * f + lsum;
    m = cm;
    for (var d = lid; d < R; d += WG) {
      var a = acc[d] * f;
      for (var j = 0u; j < WG && c0 + j < n; j++) { a += pr[j] * C[(c0 + j) * row + d]; }
      acc[d] = a;
    }
    workgroupBarrier();
  }
  for (var d = lid; d < R; d += WG) { O[qa + d] = acc[d] / l; }
}
