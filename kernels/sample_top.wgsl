// sample_top: merges sample_prep's per-invocation results, in one workgroup: the top 5 raw logits
// (diagnostics) and, when greedy (P.mode 0), the pick: the best penalized key, lowest id on ties.
// Pairs (key, id) order by key descending, then id ascending, as everywhere in the sampler.
//
// Bindings: 0 W per-invocation results (u32[P.records*12], layout in sample_prep), 1 R result
//           (u32[16], layout in sample.wgsl), 2 P params.
// Writes:   R[4..8] top-5 raw ids (0xffffffff: none), R[9..13] their keys; when greedy also
//           R[0] the pick, R[1] = R[2] = 1 (kept, candidates), R[3] = 0, R[14] = 0, R[15] = bits of 1.0.
// Dispatch: 1 workgroup of WG (a power of two): each invocation merges every WG-th record, then a
// tree of log2(WG) levels.

//!include common/sample_params

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read_write> R: array<u32>;
@group(0) @binding(2) var<uniform> P: Params;

// Invocations per workgroup: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

var<workgroup> tk: array<u32, TOP * WG>; // TOP per invocation
var<workgroup> ti: array<u32, TOP * WG>;
var<workgroup> bk: array<u32, WG>;
var<workgroup> bi: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mk = array<u32, TOP>(0u, 0u, 0u, 0u, 0u);
  var mi = array<u32, TOP>(NONE, NONE, NONE, NONE, NONE);
  var best_k = 0u;
  var best_i = NONE;
  for (var n = lid; n < P.records; n += WG) {
    for (var j = 0u; j < TOP; j++) {
      let k = W[n * 12u + j];
      let i = W[n * 12u + 5u + j];
      if (better(k, i, mk[TOP - 1u], mi[TOP - 1u])) {
        var m = TOP - 1u;
        while (m > 0u && better(k, i, mk[m - 1u], mi[m - 1u])) { mk[m] = mk[m - 1u]; mi[m] = mi[m - 1u]; m--; }
        mk[m] = k; mi[m] = i;
      }
    }
    if (better(W[n * 12u + 10u], W[n * 12u + 11u], best_k, best_i)) { best_k = W[n * 12u + 10u]; best_i = W[n * 12u + 11u]; }
  }
  for (var j = 0u; j < TOP; j++) { tk[lid * TOP + j] = mk[j]; ti[lid * TOP + j] = mi[j]; }
  bk[lid] = best_k;
  bi[lid] = best_i;
  workgroupBarrier();

  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let a = lid * TOP;
      let c = (lid + s) * TOP;
      var ia = 0u;
      var ic = 0u;
      for (var n = 0u; n < TOP; n++) { // ia + ic = n < TOP: neither list runs out
        if (better(tk[a + ia], ti[a + ia], tk[c + ic], ti[c + ic])) {
          mk[n] = tk[a + ia]; mi[n] = ti[a + ia]; ia++;
        } else {
          mk[n] = tk[c + ic]; mi[n] = ti[c + ic]; ic++;
        }
      }
      for (var n = 0u; n < TOP; n++) { tk[a + n] = mk[n]; ti[a + n] = mi[n]; }
      if (better(bk[lid + s], bi[lid + s], bk[lid], bi[lid])) { bk[lid] = bk[lid + s]; bi[lid] = bi[lid + s]; }
    }
    workgroupBarrier();
  }
  if (lid < TOP) { R[4u + lid] = ti[lid]; R[9u + lid] = tk[lid]; }
  if (lid == 0u && P.mode == 0u) {
    R[0] = bi[0]; R[1] = 1u; R[2] = 1u; R[3] = 0u; R[14] = 0u; R[15] = bitcast<u32>(1.0);
  }
}
