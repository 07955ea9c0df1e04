// sample_prep: the first pass of a sampling step (workers/runtime/sampler.ts). Reads the logits once:
//  - K[i] = the selection key of token i: its logit after the repetition penalty (positive times
//    1/penalty, negative times penalty, when bit i of the history set is on) and, when sampling, times
//    1/temperature, as an order-preserving u32 (key order = float order; -0 = +0; NaN counts as -inf);
//  - per workgroup, the 5 highest raw logits and the highest key (the greedy pick), as (key, id) pairs
//    ordered by key descending then id ascending, so every pass breaks ties the same way;
//  - workgroup 0 resets the radix-select state and histogram that sample_hist/sample_scan use.
//
// Bindings: 0 L logits (f32; token i at L[P.base + i]), 1 H history set (bit i%32 of word i/32),
//           2 K keys (u32[V]), 3 W per-workgroup results (u32[G*12]), 4 Hist (u32[256]),
//           5 S select state (u32[16], see sample_scan), 6 P the step's parameters.
// Layout: W[g*12 + 0..4] the top-5 raw keys of workgroup g, [5..9] their ids, [10] best key, [11] its id.
// Dispatch: ceil(V / 4096) workgroups of 256; invocation l of workgroup g reads 16 logits,
//           g*4096 + l + 256*e, so that neighbouring invocations read neighbouring words.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}
struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: u32,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read> H: array<u32>;
@group(0) @binding(2) var<storage, read_write> K: array<u32>;
@group(0) @binding(3) var<storage, read_write> W: array<u32>;
@group(0) @binding(4) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(5) var<storage, read_write> S: State;
@group(0) @binding(6) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 16u;
const TOP: u32 = 5u;
const NONE: u32 = 0xffffffffu; // id of an empty slot; its key 0 is below every real key (-inf is 0x007fffff)

fn key_of(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let k = select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
  return select(k, 0x80000000u, k == 0x7fffffffu);
}

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

var<workgroup> tk: array<u32, 1280>; // TOP per invocation
var<workgroup> ti: array<u32, 1280>;
var<workgroup> bk: array<u32, 256>;
var<workgroup> bi: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (wg.x == 0u && lid == 0u) {
    S.level = 0u; S.need = P.C; S.pre_hi = 0u; S.pre_lo = 0u;
    S.mask_hi = 0u; S.mask_lo = 0u; S.done = 0u; S.count = 0u;
  }
  if (wg.x == 0u) { Hist[lid] = 0u; }

  var mk = array<u32, 5>(0u, 0u, 0u, 0u, 0u);
  var mi = array<u32, 5>(NONE, NONE, NONE, NONE, NONE);
  var best_k = 0u;
  var best_i = NONE;
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    var b = bitcast<u32>(L[P.base + i]);
    if ((b & 0x7fffffffu) > 0x7f800000u) { b = 0xff800000u; } // NaN -> -inf
    var v = bitcast<f32>(b);
    let raw = key_of(v);
    // ids rise through this loop, so a strict comparison keeps the lower id among equal keys
    if (raw > mk[TOP - 1u]) {
      var j = TOP - 1u;
      while (j > 0u && raw > mk[j - 1u]) { mk[j] = mk[j - 1u]; mi[j] = mi[j - 1u]; j--; }
      mk[j] = raw; mi[j] = i;
    }
    if (((H[i >> 5u] >> (i & 31u)) & 1u) != 0u) { v = v * select(P.penalty, P.inv_penalty, v > 0.0); }
    if (P.mode != 0u) { v = v * P.inv_temp; }
    let k = key_of(v);
    K[i] = k;
    if (best_i == NONE || k > best_k) { best_k = k; best_i = i; }
  }
  for (var j = 0u; j < TOP; j++) { tk[lid * TOP + j] = mk[j]; ti[lid * TOP + j] = mi[j]; }
  bk[lid] = best_k; bi[lid] = best_i;
  workgroupBarrier();

  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let a = lid * TOP;
      let c = (lid + s) * TOP;
      var ia = 0u;
      var ic = 0u;
      for (var n = 0u; n < TOP; n++) { // ia + ic = n < TOP: neither list runs out
        if (better(tk[a + ia], ti[a + ia], tk[c + ic], ti[c + ic])) {
          mk[n] = tk[a + ia]; mi[n] = ti[a + ia]; ia++;
        } else {
          mk[n] = tk[c + ic]; mi[n] = ti[c + ic]; ic++;
        }
      }
      for (var n = 0u; n < TOP; n++) { tk[a + n] = mk[n]; ti[a + n] = mi[n]; }
      if (better(bk[lid + s], bi[lid + s], bk[lid], bi[lid])) { bk[lid] = bk[lid + s]; bi[lid] = bi[lid + s]; }
    }
    workgroupBarrier();
  }
  if (lid < TOP) {
    W[wg.x * 12u + lid] = tk[lid];
    W[wg.x * 12u + 5u + lid] = ti[lid];
  }
  if (lid == 0u) { W[wg.x * 12u + 10u] = bk[0]; W[wg.x * 12u + 11u] = bi[0]; }
}
