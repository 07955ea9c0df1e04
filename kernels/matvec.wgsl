// matvec: Y[z][r] (+)= sum_k W[z][r][k] * X[z][k]: matmul.wgsl for one token (decode, T = 1), which
// ops.ts records next to every matmul and runs on steps of one token.
//
// Decode reads every weight once per token, so this kernel is built to stream the weights: the row's
// words are split into units (kernels/quant/<type>.wgsl, `dot_unit`: UNIT weights decoded from whole
// u32 words and dotted with vec4 loads of X), and the `tpr` invocations of a row take units lane,
// lane + tpr, ...: consecutive invocations read consecutive runs of words (4 words, 16 bytes, for
// Q4_0, Q8_0 and Q4_K). Their partial sums are added by row_sum (kernels/rowsum/: subgroup
// operations where the adapter has them, workgroup memory if not). tpr is one subgroup where there
// are subgroups (ops.ts, matvecThreadsPerRow), so rows rarely need the workgroup-memory step.
//
// Bindings: 0 W (u32 words), 1 X (vec4<f32>), 2 Y (f32), 3 P (this dispatch's shape).
// Layout: row r of batch z starts at word z*w_batch + r*row_words;
//         X[z][k] = X[x_base + z*x_batch + k] (floats; x_base and x_batch multiples of 4);
//         Y[z][r] = Y[y_base + z*y_batch + r].
// Dispatch: (grid_x, ceil(groups / grid_x), Z) workgroups of WG; a row gets `tpr` invocations (a
// power of two up to WG), so a workgroup computes WG/tpr rows and there are ceil(N / (WG/tpr)) groups.

struct Params {
  K: u32, N: u32, row_words: u32, w_batch: u32,
  x_base: u32, x_batch: u32, y_base: u32, y_batch: u32,
  grid_x: u32, accumulate: u32, tpr: u32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

//!include quant dot
//!include rowsum

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, inv: Invocation) {
  let group = wg.x + wg.y * P.grid_x;
  let rows_per_group = WG / P.tpr;
  if (group * rows_per_group >= P.N) { return; } // uniform across the workgroup
  let i = slot(inv);
  let lane = i & (P.tpr - 1u);
  let r = group * rows_per_group + i / P.tpr;
  let live = r < P.N;
  let z = wg.z;
  let row = z * P.w_batch + r * P.row_words;
  let x0 = P.x_base + z * P.x_batch;
  let nb = P.K / QK;
  let units = select(0u, P.K / UNIT, live);
  var acc = 0.0;
  for (var u = lane; u < units; u += P.tpr) { acc += dot_unit(row, nb, u, x0); }
  let sum = row_sum(acc, inv, P.tpr);
  if (live && lane == 0u) {
    let yi = P.y_base + z * P.y_batch + r;
    Y[yi] = select(sum, Y[yi] + sum, P.accumulate != 0u);
  }
}
