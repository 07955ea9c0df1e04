// sample: the draw of a sampling step (workers/runtime/sampler.ts), in one workgroup, when not greedy.
// Sorts the C candidates of sample_collect (bitonic, by key descending then id ascending), then one
// invocation, in candidate order: weights e_c = exp(v_c - v_0) by exp_neg below; running sums c_c;
// keeps the first n with c_(n-1) >= top_p * c_(C-1); draws u in [0, 1) from pcg(pcg(seed) + step);
// picks the first c < n with c_c > u * c_(n-1). Every float operation is a single correctly rounded
// + - * (WGSL's exp and / are not), in a fixed order, so the CPU reference
// (workers/runtime/sampling-reference.ts) reproduces it bit for bit.
//
// Bindings: 0 Cand (u32[2*MAX_CAND] key/id pairs), 1 R result (u32[16]), 2 P params.
// Result:   R[0] chosen id, R[1] candidates kept by top_p, R[2] C, R[3] rank of the pick among them,
//           R[4..13] top 5 (sample_top), R[14] bits of u, R[15] bits of the weight sum c_(C-1).
// Dispatch: 1 workgroup of WG, after sample_top.

//!include common/sample_params

@group(0) @binding(0) var<storage, read> Cand: array<u32>;
@group(0) @binding(1) var<storage, read_write> R: array<u32>;
@group(0) @binding(2) var<uniform> P: Params;

// Invocations per workgroup, and the most candidates: set by GpuSampler (workers/runtime/sampler.ts).
override WG: u32;
override MAX_CAND: u32;

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// exp(x) for x <= 0: x = k ln2 + r (Cody-Waite), degree-6 Taylor of r, times 2^k. 0 below -86, so
// 2^k stays normal. Constants by their bits: a decimal literal's rounding to f32 is not pinned down.
fn exp_neg(x: f32) -> f32 {
  if (!(x >= -86.0)) { return 0.0; }
  let k = floor(x * bitcast<f32>(0x3fb8aa3bu) + 0.5);
  let r = (x - k * bitcast<f32>(0x3f317200u)) - k * bitcast<f32>(0x35bfbe8eu);
  var p = bitcast<f32>(0x3ab60b61u);       // 1/720
  p = p * r + bitcast<f32>(0x3c088889u);   // 1/120
  p = p * r + bitcast<f32>(0x3d2aaaabu);   // 1/24
  p = p * r + bitcast<f32>(0x3e2aaaabu);   // 1/6
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * bitcast<f32>(u32(i32(k) + 127) << 23u);
}

var<workgroup> sk: array<u32, MAX_CAND>;
var<workgroup> si: array<u32, MAX_CAND>;
var<workgroup> cum: array<f32, MAX_CAND>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var n = 1u;
  while (n < P.C) { n <<= 1u; }
  for (var i = lid; i < n; i += WG) {
    if (i < P.C) { sk[i] = Cand[2u * i]; si[i] = Cand[2u * i + 1u]; } else { sk[i] = 0u; si[i] = NONE; }
  }
  workgroupBarrier();
  for (var k = 2u; k <= n; k <<= 1u) {
    for (var j = k >> 1u; j > 0u; j >>= 1u) {
      for (var i = lid; i < n; i += WG) {
        let p = i ^ j;
        if (p > i) {
          // blocks with (i & k) == 0 end up best first, the others worst first; the last k is all of n
          let swap = select(better(sk[i], si[i], sk[p], si[p]), better(sk[p], si[p], sk[i], si[i]), (i & k) == 0u);
          if (swap) {
            let tk = sk[i]; sk[i] = sk[p]; sk[p] = tk;
            let ti = si[i]; si[i] = si[p]; si[p] = ti;
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (lid != 0u) { return; }

  let v0 = float_of(sk[0]);
  var sum = 0.0;
  for (var c = 0u; c < P.C; c++) {
    let e = select(exp_neg(float_of(sk[c]) - v0), 1.0, c == 0u);
    sum = sum + e;
    cum[c] = sum;
  }
  let threshold = P.top_p * sum;
  var kept = P.C;
  for (var c = 0u; c < P.C; c++) { if (cum[c] >= threshold) { kept = c + 1u; break; } }
  let h = pcg(pcg(P.seed) + P.step);
  let u = f32(h >> 8u) * bitcast<f32>(0x33800000u); // 2^-24
  let goal = u * cum[kept - 1u];
  var pick = NONE;
  for (var c = 0u; c < kept; c++) { if (cum[c] > goal) { pick = c; break; } }
  if (pick == NONE) { // u * total rounded up to total: the last candidate that still added weight
    pick = kept - 1u;
    while (pick > 0u && !(cum[pick] > cum[pick - 1u])) { pick--; }
  }
  R[0] = si[pick]; R[1] = kept; R[2] = P.C; R[3] = pick; R[14] = bitcast<u32>(u); R[15] = bitcast<u32>(sum);
}
