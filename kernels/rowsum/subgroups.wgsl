// Row sums for the matrix-vector kernels with subgroup operations (kernels/rowsum/workgroup.wgsl is
// the fallback, and says what row_sum promises).
//
// Slots are numbered subgroup by subgroup (subgroup_id), so a row's tpr slots are whole aligned runs
// of one subgroup's lanes, or whole subgroups: no assumption on how local_invocation_index maps onto
// subgroups. Within a subgroup, an xor butterfly over the lowest log2(min(tpr, subgroup size)) lane
// bits sums a row; rows wider than a subgroup add the subgroups' sums through workgroup memory (one
// barrier, against log2(tpr) for the fallback's tree).

enable subgroups;
requires subgroup_id;

struct Invocation {
  @builtin(subgroup_id) sg: u32,
  @builtin(subgroup_invocation_id) sg_lane: u32,
  @builtin(subgroup_size) sg_size: u32,
}

fn slot(inv: Invocation) -> u32 {
  return inv.sg * inv.sg_size + inv.sg_lane;
}

var<workgroup> rowsum_red: array<f32, WG>;

fn row_sum(v: f32, inv: Invocation, tpr: u32) -> f32 {
  // The butterfly's bound is tpr, not min(tpr, subgroup size): the uniformity analysis takes
  // subgroup_size, a member of a struct with per-invocation members, as non-uniform, and the
  // barrier below must not follow a loop it bounds. Steps past the subgroup are discarded.
  var s = v;
  for (var m = 1u; m < tpr; m <<= 1u) {
    let o = subgroupShuffleXor(s, m);
    s += select(0.0, o, m < inv.sg_size);
  }
  // Each run of min(tpr, subgroup size) lanes now holds its sum in every lane; add the row's runs.
  let i = slot(inv);
  rowsum_red[i] = s;
  workgroupBarrier();
  let w = min(tpr, inv.sg_size);
  let first = i & ~(tpr - 1u);
  var t = 0.0;
  for (var k = 0u; k < tpr; k += w) { t += rowsum_red[first + k]; }
  return t;
}
