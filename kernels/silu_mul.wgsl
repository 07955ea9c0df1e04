// silu_mul: A[i] = silu(G[i]) * U[i] = G[i] / (1 + exp(-G[i])) * U[i], for i < rows * n.
//
// Bindings: 0 G (f32), 1 U (f32), 2 A (f32 out), 3 P, 4 S (step: T). rows = T * rows_per_token.
// Dispatch: ceil(rows * n / WG) workgroups of WG over a 2-D grid: group x + y * grid_x.

struct Params { n: u32, rows_per_token: u32, grid_x: u32 }
//!include common/step

@group(0) @binding(0) var<storage, read> G: array<f32>;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * P.grid_x) * WG + lid;
  if (i >= S.T * P.rows_per_token * P.n) { return; }
  let g = G[i];
  A[i] = g / (1.0 + exp(-g)) * U[i];
}
