// kv_store: writes the step's new cache rows (the normed kv_cmpr and the roped k_pe of each token,
// f32) into the KV cache at the tokens' positions, in the cache's form (kv/f32, or kv/f16: packed with
// pack2x16float, so no shader-f16 is needed).
//
// Bindings: 0 X (f32 [T][LAT4 * 4], as vec4), 1 C (the KV cache [n_ctx][LAT4] KvWords, written at rows
// pos0 .. pos0 + T - 1), 2 P, 3 S (step: T, pos0).
// Dispatch: ceil(T * LAT4 / WG) workgroups of WG over a 2-D grid: group x + y * grid_x; invocation i
// writes word i % LAT4 of token i / LAT4.

struct Params { lat4: u32, grid_x: u32 }
//!include common/step
//!include kv

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> C: array<KvWord>;
@group(0) @binding(2) var<uniform> P: Params;
@group(0) @binding(3) var<uniform> S: Step;

override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * P.grid_x) * WG + lid;
  if (i >= S.T * P.lat4) { return; }
  C[S.pos0 * P.lat4 + i] = kv_pack4(X[i]);
}
