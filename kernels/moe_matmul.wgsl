// moe_matmul: for each (token, routed slot) pair p = t*k + j, with expert e = ids[p]:
//   Y[p][r] = sum_c W_e[r][c] * X[x(p)][c]
// where W_e is one part (gate, up or down) of expert e's record in this layer's expert cache, and
// x(p) = t (the token's hidden state, for gate/up) or p (the pair's activation, for down).
// With GLU (gate and up of one type, fused: two dispatches and a pass fewer per layer), the rows are
// the gate part's and, at up_words, the up part's, and Y[p][r] = silu(gate · x) * (up · x).
//
// Every pair is a matrix-vector product, computed as matvec.wgsl does (see there): the `tpr`
// invocations of a row stream its words in units (`dot_unit`, kernels/quant/<type>.wgsl) and row_sum
// (kernels/rowsum/) adds their partial sums.
// The cache maps experts to record offsets through `table` (u32 words; 0xffffffff = not on the GPU
// now: that pair is left for a later wave of paging). Rows are in the stored row layout.
// Bindings: 0 W (the layer's expert cache, u32), 1 X (vec4<f32>), 2 Y (f32 out [pairs][N]), 3 P,
// 4 S (step: T), 5 ids (u32 [T][k]), 6 table (u32 [E]).
// Layout: X[x(p)][c] = X[x(p) * x_stride + c] (floats; x_stride a multiple of 4); up_words is the
// up part's word offset in a record (GLU only).
// Dispatch: (grid_x, ceil(groups / grid_x), T*k) workgroups of WG; a row gets `tpr` invocations (a
// power of two up to WG), so a workgroup computes WG/tpr rows of one pair.

struct Params {
  K: u32, N: u32, row_words: u32, part_words: u32,
  x_stride: u32, x_per_pair: u32, k: u32, grid_x: u32,
  tpr: u32, up_words: u32,
}
//!include common/step

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;
@group(0) @binding(5) var<storage, read> ids: array<u32>;
@group(0) @binding(6) var<storage, read> table: array<u32>;

//!include quant dot
//!include rowsum

// Invocations per workgroup, and whether this is the fused gate-up-silu form: set by Ops (workers/runtime/ops.ts).
override WG: u32;
override GLU: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, inv: Invocation) {
  let group = wg.x + wg.y * P.grid_x;
  let rows_per_group = WG / P.tpr;
  let pair = wg.z;
  if (group * rows_per_group >= P.N || pair >= S.T * P.k) { return; }
  let record = table[ids[pair]];
  if (record == 0xffffffffu) { return; }
  let i = slot(inv);
  let lane = i & (P.tpr - 1u);
  let r = group * rows_per_group + i / P.tpr;
  let live = r < P.N;
  let row = record + P.part_words + r * P.row_words;
  let x0 = select(pair / P.k, pair, P.x_per_pair != 0u) * P.x_stride;
  let nb = P.K / QK;
  let units = select(0u, P.K / UNIT, live);
  var acc = 0.0;
  var acc_up = 0.0;
  let row_up = record + P.up_words + r * P.row_words;
  for (var u = lane; u < units; u += P.tpr) {
    acc += dot_unit(row, nb, u, x0);
    if (GLU) { acc_up += dot_unit(row_up, nb, u, x0); }
  }
  var sum = row_sum(acc, inv, P.tpr);
  if (GLU) {
    workgroupBarrier(); // row_sum's workgroup memory is read by the first sum until here
    let up = row_sum(acc_up, inv, P.tpr);
    sum = sum / (1.0 + exp(-sum)) * up;
  }
  if (live && lane == 0u) { Y[pair * P.N + r] = sum; }
}
