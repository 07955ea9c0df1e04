// sample_collect: writes the top C tokens found by the radix select (sample_hist, sample_scan) as
// (key, id) pairs, in no particular order: the set is exact, sample.wgsl sorts it.
//
// Token i is in when its composite key (K[i], t = 0xffffff - i), cut to the decided digits, is >= the
// decided prefix: (K[i] & mask_hi) > pre_hi, or equal there and (t & mask_lo) >= pre_lo. Exactly C
// tokens pass (composite keys are distinct), each taking a slot from S.count.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (count is the atomic cursor),
//           2 Cand (u32[2*MAX_CAND]: Cand[2s] key, Cand[2s+1] id), 3 P params.
// Dispatch: ceil(V / (WG*PER)) workgroups of WG, as sample_hist.

//!include common/sample_params
alias SelectCount = atomic<u32>;
//!include common/select_state

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: SelectState;
@group(0) @binding(2) var<storage, read_write> Cand: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

// Invocations per workgroup and logits per invocation: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;
override PER: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let mh = S.mask_hi;
  let ph = S.pre_hi;
  let ml = S.mask_lo;
  let pl = S.pre_lo;
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    let k = K[i] & mh;
    if (k > ph || (k == ph && ((0xffffffu - i) & ml) >= pl)) {
      let slot = atomicAdd(&S.count, 1u);
      if (slot < P.C) { Cand[2u * slot] = K[i]; Cand[2u * slot + 1u] = i; }
    }
  }
}
