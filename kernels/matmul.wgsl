// matmul: Y[z][t][r] (+)= sum_k W[z][r][k] * X[z][t][k], for T tokens and a batch of Z matrices.
//
// W is a quantized (or f16/bf16/f32) tensor in the stored row layout; the decoder for its type is
// spliced in below (kernels/quant/<type>.wgsl). Z batches serve per-head projections (MLA's
// W_UK and W_UV); Z = 1 for plain projections. This kernel serves prefill (T > 1): each workgroup
// decodes a weight once for up to 8 tokens. Steps of one token (decode) run matvec.wgsl instead
// (ops.ts records both), which streams the weights; this one then only where X's offsets are not
// whole vec4s.
//
// Bindings: 0 W (u32 words), 1 X (f32), 2 Y (f32), 3 P (this dispatch's shape), 4 S (the step: T).
// Layout: row r of batch z starts at word z*w_batch + r*row_words;
//         X[z][t][k] = X[x_base + z*x_batch + t*x_stride + k]; Y likewise with y_*.
// Dispatch: (grid_x, ceil(groups / grid_x), Z) workgroups of WG. A row gets `tpr` invocations (a
// power of two up to WG, no more than its blocks can use), so a workgroup computes WG/tpr rows:
// short rows (the output head's 102400 rows of 64, say) do not leave most invocations idle.

struct Params {
  K: u32, N: u32, row_words: u32, w_batch: u32,
  x_base: u32, x_stride: u32, x_batch: u32, y_base: u32,
  y_stride: u32, y_batch: u32, grid_x: u32, accumulate: u32,
  tpr: u32,
}
//!include common/step

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts). Tokens per tile: a constant, as it
// sizes each invocation's accumulators.
override WG: u32;
const TILE: u32 = 8u;
var<workgroup> red: array<f32, TILE * WG>; // partial sums

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * P.grid_x;
  let rows_per_group = WG / P.tpr;
  if (group * rows_per_group >= P.N) { return; } // uniform across the workgroup
  let lane = lid % P.tpr;
  let r = group * rows_per_group + lid / P.tpr;
  let live = r < P.N;
  let z = wg.z;
  let row = z * P.w_batch + r * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  let units = select(0u, nb * subs, live);
  var w: array<f32, 32>;
  for (var t0 = 0u; t0 < S.T; t0 += TILE) {
    var acc = array<f32, TILE>(); // explicitly zeroed: SwiftShader kept the previous tile's sums otherwise
    for (var u = lane; u < units; u += P.tpr) {
      let b = u / subs;
      let s = u % subs;
      decode32(row, nb, b, s, &w);
      let k0 = P.x_base + z * P.x_batch + b * QK + s * 32u;
      for (var tt = 0u; tt < TILE; tt++) {
        if (t0 + tt < S.T) {
          let xo = k0 + (t0 + tt) * P.x_stride;
          var sum = 0.0;
          for (var i = 0u; i < 32u; i++) { sum += w[i] * X[xo + i]; }
          acc[tt] += sum;
        }
      }
    }
    for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] = acc[tt]; }
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (stride < P.tpr && lane < stride) {
        for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] += red[tt * WG + lid + stride]; }
      }
      workgroupBarrier();
    }
    // lane tt of each row writes token t0 + tt (tpr may be below 8: then lanes loop over tokens)
    for (var tt = lane; tt < TILE; tt += P.tpr) {
      if (live && t0 + tt < S.T) {
        let yi = P.y_base + z * P.y_batch + (t0 + tt) * P.y_stride + r;
        let v = red[tt * WG + lid - lane];
        Y[yi] = select(v, Y[yi] + v, P.accumulate != 0u);
      }
    }
    workgroupBarrier();
  }
}
