// mla_attention: absorbed multi-head latent attention over the latent KV cache, causal.
//
// For head h and token t at position p = pos0 + t, over cached positions s <= p:
//   score(s) = scale * (q_abs[t][h] . c[s] + q_pe[t][h] . k_pe[s])
//   o_lat[t][h] = sum_s softmax(score)(s) * c[s]
// (q_abs = W_UK^T q_nope is computed before; o = W_UV o_lat after.) The softmax is online over
// chunks of 64 positions, so any context length works without scratch memory.
//
// Bindings: 0 QA (f32 [T][H][R] q_abs), 1 Q (f32, q with the roped q_pe inside), 2 C (f32 KV cache
// [n_ctx][R + n_rot] = c | k_pe), 3 O (f32 out [T][H][R]), 4 P, 5 S (step: T, pos0).
// q_pe of head h, token t: Q[t*q_stride + h*q_head + q_pe_off + i]. R <= 512 (8 values per invocation).
// Dispatch: (T, H, 1) workgroups of 64.

struct Params { R: u32, n_rot: u32, H: u32, q_stride: u32, q_head: u32, q_pe_off: u32, scale: f32, _p: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> QA: array<f32>;
@group(0) @binding(1) var<storage, read> Q: array<f32>;
@group(0) @binding(2) var<storage, read> C: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<uniform> S: Step;

var<workgroup> qv: array<f32, 576>;
var<workgroup> pr: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let h = wg.y;
  if (t >= S.T) { return; }
  let R = P.R;
  let row = R + P.n_rot;
  let qa = (t * P.H + h) * R;
  for (var i = lid; i < R; i += 64u) { qv[i] = QA[qa + i]; }
  for (var i = lid; i < P.n_rot; i += 64u) { qv[R + i] = Q[t * P.q_stride + h * P.q_head + P.q_pe_off + i]; }
  workgroupBarrier();

  let n = S.pos0 + t + 1u; // causal: positions 0 .. p
  var m = -3.0e38;
  var l = 0.0;
  var acc = array<f32, 8>();
  for (var c0 = 0u; c0 < n; c0 += 64u) {
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
    for (var j = 0u; j < 64u; j++) { cm = max(cm, pr[j]); }
    workgroupBarrier();
    pr[lid] = select(0.0, exp(score - cm), s < n);
    workgroupBarrier();
    let f = exp(m - cm);
    var lsum = 0.0;
    for (var j = 0u; j < 64u; j++) { lsum += pr[j]; }
    l = l * f + lsum;
    m = cm;
    for (var k = 0u; k < 8u; k++) {
      let d = lid + k * 64u;
      if (d < R) {
        var a = acc[k] * f;
        for (var j = 0u; j < 64u && c0 + j < n; j++) { a += pr[j] * C[(c0 + j) * row + d]; }
        acc[k] = a;
      }
    }
    workgroupBarrier();
  }
  for (var k = 0u; k < 8u; k++) {
    let d = lid + k * 64u;
    if (d < R) { O[qa + d] = acc[k] / l; }
  }
}
