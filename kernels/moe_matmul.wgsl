// moe_matmul: for each (token, routed slot) pair p = t*k + j, with expert e = ids[p]:
//   Y[p][r] = sum_c W_e[r][c] * X[x(p)][c]
// where W_e is one part (gate, up or down) of expert e's record in this layer's expert cache, and
// x(p) = t (the token's hidden state, for gate/up) or p (the pair's activation, for down).
//
// The cache maps experts to record offsets through `table` (u32 words; 0xffffffff = not on the GPU
// now: that pair is left for a later wave of paging). Rows are in the stored row layout.
// Bindings: 0 W (the layer's expert cache, u32), 1 X (f32), 2 Y (f32 out [pairs][N]), 3 P,
// 4 S (step: T), 5 ids (u32 [T][k]), 6 table (u32 [E]).
// Dispatch: (grid_x, ceil(groups / grid_x), T*k) workgroups of 64; a row gets `tpr` invocations
// (a power of two up to 64), so a workgroup computes 64/tpr rows of one pair.

struct Params {
  K: u32, N: u32, row_words: u32, part_words: u32,
  x_stride: u32, x_per_pair: u32, k: u32, grid_x: u32,
  tpr: u32, _p0: u32, _p1: u32, _p2: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;
@group(0) @binding(5) var<storage, read> ids: array<u32>;
@group(0) @binding(6) var<storage, read> table: array<u32>;

//!include quant

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * P.grid_x;
  let rows_per_group = 64u / P.tpr;
  let pair = wg.z;
  if (group * rows_per_group >= P.N || pair >= S.T * P.k) { return; }
  let slot = table[ids[pair]];
  if (slot == 0xffffffffu) { return; }
  let lane = lid % P.tpr;
  let r = group * rows_per_group + lid / P.tpr;
  let live = r < P.N;
  let row = slot + P.part_words + r * P.row_words;
  let xo = select(pair / P.k, pair, P.x_per_pair != 0u) * P.x_stride;
  let nb = P.K / QK;
  let subs = QK / 32u;
  let units = select(0u, nb * subs, live);
  var w: array<f32, 32>;
  var acc = 0.0;
  for (var u = lane; u < units; u += P.tpr) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let x0 = xo + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { acc += w[i] * X[x0 + i]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (stride < P.tpr && lane < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (live && lane == 0u) { Y[pair * P.N + r] = red[lid]; }
}
