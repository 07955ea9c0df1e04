// sample_collect: writes the top C tokens found by the radix select (sample_hist, sample_scan) as
// (key, id) pairs, in no particular order: the set is exact, sample.wgsl sorts it.
//
// Token i is in when its composite key (K[i], t = 0xffffff - i), cut to the decided digits, is >= the
// decided prefix: (K[i] & mask_hi) > pre_hi, or equal there and (t & mask_lo) >= pre_lo. Exactly C
// tokens pass (composite keys are distinct), each taking a slot from S.count.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (u32[16]; count is the atomic cursor),
//           2 Cand (u32[2*1024]: Cand[2s] key, Cand[2s+1] id), 3 P params.
// Dispatch: ceil(V / 8192) workgroups of 256, as sample_hist.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, records: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}
struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: atomic<u32>,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: State;
@group(0) @binding(2) var<storage, read_write> Cand: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 32u;

@compute @workgroup_size(256)
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
