// sample_prep: the first pass of a sampling step (workers/runtime/sampler.ts). Reads the logits once:
//  - K[i] = the selection key of token i: -inf when the grammar mask (masked) leaves it out; else its
//    logit after the repetition penalty (positive times 1/penalty, negative times penalty, when bit i of
//    the history set is on), plus its additive bias A[i] (logit_bias - frequency * count - presence *
//    [count > 0], when biased) and, when sampling, times 1/temperature; as an order-preserving u32 (key
//    order = float order; -0 = +0; NaN counts as -inf);
//  - per invocation, the 5 highest raw logits and the highest key (the greedy pick) among the tokens
//    it read, as (key, id) pairs ordered by key descending then id ascending (sample_top merges them);
//  - invocation 0 resets the radix-select state and histogram that sample_hist/sample_scan use.
// No workgroup memory and no barriers: SwiftShader runs a shader with barriers many times slower.
//
// Bindings: 0 L logits (f32; token i at L[P.base + i]), 1 H bits: the history set (bit i%32 of word
//           i/32), then from word ceil(V/32) the grammar mask (bit set: allowed), 7 A additive bias (f32[V]),
//           2 K keys (u32[V]), 3 W per-invocation results (u32[ceil(V/32)*12]), 4 Hist (u32[256]),
//           5 S select state (common/select_state.wgsl), 6 P the step's parameters.
// Layout: W[n*12 + 0..4] the top-5 raw keys of invocation n, [5..9] their ids (0xffffffff: none),
//         [10] its best key, [11] that token's id.
// Dispatch: ceil(V / (WG*PER)) workgroups of WG; invocation n = g*WG + l reads PER logits,
//           g*WG*PER + l + WG*e, so that neighbouring invocations read neighbouring words.

//!include common/sample_params
alias SelectCount = u32;
//!include common/select_state

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read> H: array<u32>;
@group(0) @binding(2) var<storage, read_write> K: array<u32>;
@group(0) @binding(3) var<storage, read_write> W: array<u32>;
@group(0) @binding(4) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(5) var<storage, read_write> S: SelectState;
@group(0) @binding(6) var<uniform> P: Params;
@group(0) @binding(7) var<storage, read> A: array<f32>;

// Invocations per workgroup and logits per invocation: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;
override PER: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (wg.x == 0u) {
    for (var b = lid; b < 256u; b += WG) { Hist[b] = 0u; }
    if (lid == 0u) {
      S.level = 0u; S.need = P.C; S.pre_hi = 0u; S.pre_lo = 0u;
      S.mask_hi = 0u; S.mask_lo = 0u; S.done = 0u; S.count = 0u;
    }
  }

  var mk = array<u32, TOP>(0u, 0u, 0u, 0u, 0u);
  var mi = array<u32, TOP>(NONE, NONE, NONE, NONE, NONE);
  var best_k = 0u;
  var best_i = NONE;
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    var b = bitcast<u32>(L[P.base + i]);
    if ((b & 0x7fffffffu) > 0x7f800000u) { b = NEG_INF; } // NaN -> -inf
    var v = bitcast<f32>(b);
    let raw = key_of(v);
    // ids rise through this loop, so strict comparisons keep the lower id among equal keys
    if (raw > mk[TOP - 1u]) {
      var j = TOP - 1u;
      while (j > 0u && raw > mk[j - 1u]) { mk[j] = mk[j - 1u]; mi[j] = mi[j - 1u]; j--; }
      mk[j] = raw; mi[j] = i;
    }
    let words = (P.V + 31u) / 32u;
    if (P.masked != 0u && ((H[words + (i >> 5u)] >> (i & 31u)) & 1u) == 0u) {
      b = NEG_INF; // through the variable: -inf may not appear in a constant expression
      v = bitcast<f32>(b);
    } else {
      if (((H[i >> 5u] >> (i & 31u)) & 1u) != 0u) { v = v * select(P.penalty, P.inv_penalty, v > 0.0); }
      if (P.biased != 0u) { v = v + A[i]; }
      if (P.mode != 0u) { v = v * P.inv_temp; }
    }
    let k = key_of(v);
    K[i] = k;
    if (best_i == NONE || k > best_k) { best_k = k; best_i = i; }
  }
  let o = (wg.x * WG + lid) * 12u;
  for (var j = 0u; j < TOP; j++) { W[o + j] = mk[j]; W[o + 5u + j] = mi[j]; }
  W[o + 10u] = best_k;
  W[o + 11u] = best_i;
}
