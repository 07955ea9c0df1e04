// One sampling step's parameters (workers/runtime/params.ts, SAMPLE_PARAMS), read by all five
// sample* kernels; written by GpuSampler.encodeCompute (workers/runtime/sampler.ts).
//   V vocabulary size; C candidates the draw considers; mode 0 greedy, 1 sample; seed and step seed
//   the draw; base: the logits' first element inside the bound range; records: sample_prep's
//   per-invocation records; inv_temp 1/temperature; penalty, inv_penalty the repetition penalty and
//   its inverse (both f32-rounded on the host); top_p the nucleus mass.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, records: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}

// The top-k of raw logits every step reports for diagnostics: part of the 16-word result layout
// (sample.wgsl's header) that GpuSampler.read decodes.
const TOP: u32 = 5u;
// The id of an empty slot; its key 0 is below every real key (-inf's key is 0x007fffff).
const NONE: u32 = 0xffffffffu;
