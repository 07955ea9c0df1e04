// rope: rotates adjacent pairs (x[2i], x[2i+1]) of each head's rope slice by the angle of the token's
// position (DeepSeek-V2 pairs neighbours, not NeoX halves). The YaRN angles are computed on the host
// in f64 for this step's positions and arrive as a cos/sin table, so no large-argument sin/cos runs
// in f32 here.
//
// Bindings: 0 X (f32), 1 cs (f32 [T][n_rot/2][2] = cos, sin), 2 Y (f32 out; may alias nothing), 3 P,
// 4 S (step: T, pos0).
// Layout: head h of token t reads X[x_base + t*x_stride + h*x_head + 2i (+1)] and writes
// Y[y_base + row*y_stride + h*y_head + 2i (+1)], row = t, or pos0 + t when y_at_pos = 1 (the KV cache).
// Dispatch: (T, heads, 1) workgroups of WG; invocation i rotates pairs i, i + WG, ...

struct Params {
  n_rot: u32, x_base: u32, x_stride: u32, x_head: u32,
  y_base: u32, y_stride: u32, y_head: u32, y_at_pos: u32,
}
//!include common/step

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> cs: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let h = wg.y;
  let half = P.n_rot / 2u;
  if (t >= S.T) { return; }
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  for (var i = lid; i < half; i += WG) {
    let c = cs[(t * half + i) * 2u];
    let s = cs[(t * half + i) * 2u + 1u];
    let xo = P.x_base + t * P.x_stride + h * P.x_head + 2u * i;
    let x0 = X[xo];
    let x1 = X[xo + 1u];
    let yo = P.y_base + row * P.y_stride + h * P.y_head + 2u * i;
    Y[yo] = x0 * c - x1 * s;
    Y[yo + 1u] = x0 * s + x1 * c;
  }
}
