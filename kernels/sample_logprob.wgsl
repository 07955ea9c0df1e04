// sample_logprob: the log-probabilities of a sampling step (workers/runtime/sampler.ts), when asked
// for: log-softmax over the whole vocabulary of the values the step picked from (sample_prep's keys:
// logits after the grammar mask, the penalties and the bias, and the temperature when sampling), for
// the picked token and the P.top_lp most likely tokens (key descending, then id ascending).
//   lse = m + log(sum_i exp(v_i - m)), m = max_i v_i;   logprob(i) = v_i - lse
// Masked tokens (-inf) add nothing to the sum.
//
// Bindings: 0 K keys (u32[V]), 1 R the step's result (u32[16]: R[0] the picked id), 2 LP out (u32[16]),
//           3 P params.
// Result:   LP[0] bits of lse, LP[1] bits of the picked token's logprob, LP[2..6] the top ids
//           (0xffffffff: none; tokens of probability 0 are left out), LP[7..11] bits of their logprobs.
// Dispatch: 1 workgroup of WG (a power of two), after sample (or sample_top when greedy).

//!include common/sample_params

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read> R: array<u32>;
@group(0) @binding(2) var<storage, read_write> LP: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

// Invocations per workgroup: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;

var<workgroup> red: array<f32, WG>;
var<workgroup> tk: array<u32, TOP * WG>;
var<workgroup> ti: array<u32, TOP * WG>;

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  // this invocation's top TOP keys and its maximum
  var mk = array<u32, TOP>(0u, 0u, 0u, 0u, 0u);
  var mi = array<u32, TOP>(NONE, NONE, NONE, NONE, NONE);
  for (var i = lid; i < P.V; i += WG) {
    let k = K[i];
    if (better(k, i, mk[TOP - 1u], mi[TOP - 1u])) {
      var j = TOP - 1u;
      while (j > 0u && better(k, i, mk[j - 1u], mi[j - 1u])) { mk[j] = mk[j - 1u]; mi[j] = mi[j - 1u]; j--; }
      mk[j] = k; mi[j] = i;
    }
  }
  for (var j = 0u; j < TOP; j++) { tk[lid * TOP + j] = mk[j]; ti[lid * TOP + j] = mi[j]; }
  workgroupBarrier();
  // merge the lists pairwise: tk[0..TOP) ends up the workgroup's top TOP
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
    }
    workgroupBarrier();
  }
  let m = float_of(tk[0]);
  var sum = 0.0;
  for (var i = lid; i < P.V; i += WG) {
    let v = float_of(K[i]);
    if (v > -3.0e38) { sum += exp(v - m); }
  }
  red[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (lid != 0u) { return; }
  let lse = m + log(red[0]);
  LP[0] = bitcast<u32>(lse);
  LP[1] = bitcast<u32>(float_of(K[R[0]]) - lse);
  for (var j = 0u; j < TOP; j++) {
    let on = j < P.top_lp && ti[j] != NONE && float_of(tk[j]) > -3.0e38; // no token of probability 0
    LP[2u + j] = select(NONE, ti[j], on);
    LP[7u + j] = select(0u, bitcast<u32>(float_of(tk[j]) - lse), on);
  }
}
