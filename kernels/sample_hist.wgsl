// sample_hist: one level of the radix select that finds the top C tokens (workers/runtime/sampler.ts).
//
// Tokens are ranked by a 56-bit composite key: the 32-bit selection key K[i] (see sample_prep), then
// 24 bits of t = 0xffffff - i, so that among equal keys the lower id ranks higher and every composite
// key is distinct: exactly C tokens rank at or above the C-th. The select walks the composite key in
// 8-bit digits from the top, levels 0-3 over K[i] and 4-6 over t. At each level this pass counts, per
// value of the current digit, the tokens whose already-decided digits equal the prefix found so far
// (S.pre_hi/pre_lo under S.mask_hi/mask_lo); sample_scan then picks the digit. Once the select is
// done (S.done), the remaining levels return at once.
// Counts go straight to the global histogram: a workgroup-memory histogram would need barriers, which
// make SwiftShader many times slower; on a GPU the contention of 256 bins costs microseconds.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (read), 2 Hist (atomic u32[256]), 3 P params.
// Dispatch: ceil(V / (WG*PER)) workgroups of WG; invocation l of workgroup g reads g*WG*PER + l + WG*e.

//!include common/sample_params
alias SelectCount = u32;
//!include common/select_state

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read> S: SelectState;
@group(0) @binding(2) var<storage, read_write> Hist: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> P: Params;

// Invocations per workgroup and logits per invocation: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;
override PER: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (S.done != 0u) { return; }
  let lo = S.level >= 4u;
  let shift = select(24u - 8u * S.level, 16u - 8u * (S.level - 4u), lo);
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    let k = K[i];
    let t = 0xffffffu - i;
    if ((k & S.mask_hi) == S.pre_hi && (t & S.mask_lo) == S.pre_lo) {
      atomicAdd(&Hist[(select(k, t, lo) >> shift) & 0xffu], 1u);
    }
  }
}
