// moe_combine: X[t][i] += sum_j wts[t][j] * Yp[t*k + j][i], the routed experts' weighted sum added to
// the residual stream.
//
// Bindings: 0 Yp (f32 [T*k][D]), 1 wts (f32 [T][k]), 2 X (f32 [T][D], accumulated), 3 P, 4 S (T).
// Dispatch: (ceil(D / 64), T, 1) workgroups of 64.

struct Params { D: u32, k: u32, _p0: u32, _p1: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> Yp: array<f32>;
@group(0) @binding(1) var<storage, read> wts: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wg.x * 64u + lid;
  let t = wg.y;
  if (i >= P.D || t >= S.T) { return; }
  var sum = 0.0;
  for (var j = 0u; j < P.k; j++) { sum += wts[t * P.k + j] * Yp[(t * P.k + j) * P.D + i]; }
  X[t * P.D + i] += sum;
}
