// rmsnorm: Y[row] = X[row] / sqrt(mean(X[row]^2) + eps) * g, over `dim` values, in f32.
//
// Serves the attention and FFN norms, the final norm (last token only), and the norm of MLA's latent
// kv_cmpr, which it writes straight into the KV cache at the token's position.
// Bindings: 0 X (f32), 1 g (f32 weights), 2 Y (f32 out), 3 P, 4 S (step: T, pos0).
// Layout: X[t] starts at x_base + t*x_stride. Y's row is t, or pos0 + t when y_at_pos = 1, or 0 for
// the last token alone when last_only = 1; it starts at y_base + row*y_stride.
// Dispatch: (T, 1, 1) workgroups of WG (a power of two), or (1, 1, 1) with last_only.

struct Params {
  dim: u32, x_base: u32, x_stride: u32, y_base: u32,
  y_stride: u32, y_at_pos: u32, last_only: u32, eps: f32,
}
//!include common/step

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var t = wg.x;
  if (P.last_only != 0u) { t = S.T - 1u; }
  if (t >= S.T) { return; }
  let xo = P.x_base + t * P.x_stride;
  var ss = 0.0;
  for (var i = lid; i < P.dim; i += WG) { let v = X[xo + i]; ss += v * v; }
  part[lid] = ss;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { part[lid] += part[lid + stride]; }
    workgroupBarrier();
  }
  let inv = 1.0 / sqrt(part[0] / f32(P.dim) + P.eps);
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  if (P.last_only != 0u) { row = 0u; }
  let yo = P.y_base + row * P.y_stride;
  for (var i = lid; i < P.dim; i += WG) { Y[yo + i] = X[xo + i] * inv * g[i]; }
}
