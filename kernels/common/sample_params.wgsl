// One sampling step's parameters (workers/runtime/params.ts, SAMPLE_PARAMS), read by all five
// sample* kernels; written by GpuSampler.encodeCompute (workers/runtime/sampler.ts).
//   V vocabulary size; C candidates the draw considers; mode 0 greedy, 1 sample; seed and step seed
//   the draw; base: the logits' first element inside the bound range; records: sample_prep's
//   per-invocation records; inv_temp 1/temperature; penalty, inv_penalty the repetition penalty and
//   its inverse (both f32-rounded on the host); top_p the nucleus mass; biased 1 when the additive
//   bias (logit_bias, frequency and presence penalties) applies; masked 1 when the grammar mask does;
//   top_lp how many top logprobs sample_logprob reports (0-5).

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, records: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
  biased: u32, masked: u32, top_lp: u32,
}

// The order-preserving u32 of an f32 (key order = float order; -0 = +0; the caller maps NaN to -inf
// first), and back.
fn key_of(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let k = select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
  return select(k, 0x80000000u, k == 0x7fffffffu);
}

fn float_of(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}

const NEG_INF: u32 = 0xff800000u;

// The top-k of raw logits every step reports for diagnostics: part of the 16-word result layout
// (sample.wgsl's header) that GpuSampler.read decodes.
const TOP: u32 = 5u;
// The id of an empty slot; its key 0 is below every real key (-inf's key is 0x007fffff).
const NONE: u32 = 0xffffffffu;
