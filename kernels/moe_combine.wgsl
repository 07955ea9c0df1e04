// moe_combine: X[t][i] += sum_j wts[t][j] * Yp[t*k + j][i], the routed experts' weighted sum added to
// the residual stream.
//
// Bindings: 0 Yp (f32 [T*k][D]), 1 wts (f32 [T][k]), 2 X (f32 [T][D], accumulated), 3 P, 4 S (T).
// Dispatch: (ceil(D / WG), T, 1) workgroups of WG.

struct Params { D: u32, k: u32 }
//!include common/step

@group(0) @binding(0) var<storage, read> Yp: array<f32>;
@group(0) @binding(1) var<storage, read> wts: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wg.x * WG + lid;
  let t = wg.y;
  if (i >= P.D || t >= S.T) { return; }
  var sum = 0.0;
  for (var j = 0u; j < P.k; j++) { sum += wts[t * P.k + j] * Yp[(t * P.k + j) * P.D + i]; }
  X[t * P.D + i] += sum;
}
