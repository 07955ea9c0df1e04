// moe_route: the router's choice per token. From the router logits over E experts: probabilities by
// softmax (gating 0) or sigmoid (gating 1); the k most probable experts (lowest index on ties); their
// weights p[e] (divided by their sum when norm = 1), times `scale`.
//
// Bindings: 0 L (f32 [T][E] logits), 1 ids (u32 out [T][k]), 2 wts (f32 out [T][k]), 3 P, 4 S (T).
// Dispatch: (T, 1, 1) workgroups of WG; E <= N_EXPERT (the model's expert count, set when the pipeline
// is made), k <= E.

struct Params { E: u32, k: u32, gating: u32, norm: u32, scale: f32 }
//!include common/step

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> wts: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

// Invocations per workgroup, and room for the probabilities: set by Ops (workers/runtime/ops.ts).
override WG: u32;
override N_EXPERT: u32;

var<workgroup> p: array<f32, N_EXPERT>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let lo = t * P.E;
  for (var e = lid; e < P.E; e += WG) { p[e] = L[lo + e]; }
  workgroupBarrier();
  if (lid != 0u) { return; }
  if (P.gating == 0u) {
    var mx = -3.0e38;
    for (var e = 0u; e < P.E; e++) { mx = max(mx, p[e]); }
    var sum = 0.0;
    for (var e = 0u; e < P.E; e++) { p[e] = exp(p[e] - mx); sum += p[e]; }
    for (var e = 0u; e < P.E; e++) { p[e] = p[e] / sum; }
  } else {
    for (var e = 0u; e < P.E; e++) { p[e] = 1.0 / (1.0 + exp(-p[e])); }
  }
  // The choice goes straight to ids[t][j]: no per-invocation array, so k has no fixed bound.
  var total = 0.0;
  for (var j = 0u; j < P.k; j++) {
    var best = 0u;
    var bv = -1.0;
    for (var e = 0u; e < P.E; e++) {
      if (p[e] > bv) { bv = p[e]; best = e; }
    }
    ids[t * P.k + j] = best;
    total += bv;
    p[best] = -2.0; // taken
  }
  // p[] was overwritten for the chosen ones: recompute their weights from the logits.
  var mx = -3.0e38;
  var sum = 0.0;
  if (P.gating == 0u) {
    for (var e = 0u; e < P.E; e++) { mx = max(mx, L[lo + e]); }
    for (var e = 0u; e < P.E; e++) { sum += exp(L[lo + e] - mx); }
  }
  for (var j = 0u; j < P.k; j++) {
    let x = L[lo + ids[t * P.k + j]];
    var w = select(1.0 / (1.0 + exp(-x)), exp(x - mx) / sum, P.gating == 0u);
    if (P.norm != 0u) { w = w / total; }
    wts[t * P.k + j] = w * P.scale;
  }
}
