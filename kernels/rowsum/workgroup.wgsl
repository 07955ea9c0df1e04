// Row sums for the matrix-vector kernels, in workgroup memory: the form for adapters without subgroups
// (kernels/rowsum/subgroups.wgsl is the other; KernelLibrary splices one in at `//!include rowsum`).
//
// A kernel of WG invocations gives each row `tpr` consecutive slots (tpr a power of two up to WG);
// row_sum is called by every invocation, in uniform control flow, and returns the sum of the row's
// values to each of them.

struct Invocation {
  @builtin(local_invocation_index) lid: u32,
}

// This invocation's slot in the workgroup, 0..WG-1.
fn slot(inv: Invocation) -> u32 {
  return inv.lid;
}

var<workgroup> rowsum_red: array<f32, WG>;

fn row_sum(v: f32, inv: Invocation, tpr: u32) -> f32 {
  let i = inv.lid;
  let lane = i & (tpr - 1u);
  rowsum_red[i] = v;
  workgroupBarrier();
  for (var m = tpr >> 1u; m > 0u; m >>= 1u) {
    if (lane < m) { rowsum_red[i] += rowsum_red[i + m]; }
    workgroupBarrier();
  }
  return rowsum_red[i - lane];
}
