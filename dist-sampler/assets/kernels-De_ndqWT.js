var e=class extends Error{constructor(e){super(e),this.name=`GpuError`}};async function t(){if(!navigator.gpu)throw new e(`WebGPU is not available in this browser.`);let t=await navigator.gpu.requestAdapter({powerPreference:`high-performance`});if(!t)throw new e(`No WebGPU adapter is available (the GPU may be blocklisted or disabled).`);let n=[];for(let e of[`shader-f16`,`subgroups`])t.features.has(e)&&n.push(e);let r=await t.requestDevice({requiredFeatures:n,requiredLimits:{maxBufferSize:t.limits.maxBufferSize,maxStorageBufferBindingSize:t.limits.maxStorageBufferBindingSize,maxStorageBuffersPerShaderStage:Math.min(10,t.limits.maxStorageBuffersPerShaderStage),maxComputeWorkgroupStorageSize:t.limits.maxComputeWorkgroupStorageSize},label:`lite-coder runtime`}),i=r.lost.then(e=>`The GPU device was lost (${e.reason}): ${e.message||`no details`}.`);return{device:r,adapterName:[t.info?.vendor,t.info?.architecture].filter(Boolean).join(` `)||`unknown adapter`,maxBinding:r.limits.maxStorageBufferBindingSize,maxBuffer:r.limits.maxBufferSize,lost:i}}var n=Object.assign({"../../kernels/embed.wgsl":`// embed: X[t][k] = token_embd[ids[t]][k], dequantized from the stored row layout.
//
// Bindings: 0 W (token_embd, u32 words), 1 ids (u32 per token), 2 X (f32 out), 3 P, 4 S (step: T).
// Layout: X[t][k] = X[t * K + k]. Dispatch: (T, 1, 1) workgroups of 64.

struct Params { K: u32, row_words: u32, _p0: u32, _p1: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let row = ids[t] * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  var w: array<f32, 32>;
  for (var u = lid; u < nb * subs; u += 64u) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let o = t * P.K + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { X[o + i] = w[i]; }
  }
}
`,"../../kernels/matmul.wgsl":`// matmul: Y[z][t][r] (+)= sum_k W[z][r][k] * X[z][t][k], for T tokens and a batch of Z matrices.
//
// W is a quantized (or f16/bf16/f32) tensor in the stored row layout; the decoder for its type is
// spliced in below (kernels/quant/<type>.wgsl). Z batches serve per-head projections (MLA's
// W_UK and W_UV); Z = 1 for plain projections. Decode is T = 1 (a matrix-vector product); prefill
// passes T > 1 and each workgroup decodes a weight once for up to 8 tokens.
//
// Bindings: 0 W (u32 words), 1 X (f32), 2 Y (f32), 3 P (this dispatch's shape), 4 S (the step: T).
// Layout: row r of batch z starts at word w_base + z*w_batch + r*row_words;
//         X[z][t][k] = X[x_base + z*x_batch + t*x_stride + k]; Y likewise with y_*.
// Dispatch: (grid_x, ceil(N / grid_x), Z) workgroups of 64; one workgroup per output row.

struct Params {
  K: u32, N: u32, row_words: u32, w_base: u32,
  w_batch: u32, x_base: u32, x_stride: u32, x_batch: u32,
  y_base: u32, y_stride: u32, y_batch: u32, grid_x: u32,
  accumulate: u32, _p0: u32, _p1: u32, _p2: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

const WG: u32 = 64u;
const TILE: u32 = 8u;
var<workgroup> red: array<f32, 512>; // TILE * WG partial sums

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x + wg.y * P.grid_x;
  if (r >= P.N) { return; } // uniform across the workgroup: every invocation has the same r
  let z = wg.z;
  let row = P.w_base + z * P.w_batch + r * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  let units = nb * subs;
  var w: array<f32, 32>;
  for (var t0 = 0u; t0 < S.T; t0 += TILE) {
    var acc = array<f32, 8>(); // explicitly zeroed: SwiftShader kept the previous tile's sums otherwise
    for (var u = lid; u < units; u += WG) {
      let b = u / subs;
      let s = u % subs;
      decode32(row, nb, b, s, &w);
      let k0 = P.x_base + z * P.x_batch + b * QK + s * 32u;
      for (var tt = 0u; tt < TILE; tt++) {
        if (t0 + tt < S.T) {
          let xo = k0 + (t0 + tt) * P.x_stride;
          var sum = 0.0;
          for (var i = 0u; i < 32u; i++) { sum += w[i] * X[xo + i]; }
          acc[tt] += sum;
        }
      }
    }
    for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] = acc[tt]; }
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (lid < stride) {
        for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] += red[tt * WG + lid + stride]; }
      }
      workgroupBarrier();
    }
    if (lid < TILE && t0 + lid < S.T) {
      let yi = P.y_base + z * P.y_batch + (t0 + lid) * P.y_stride + r;
      let v = red[lid * WG];
      Y[yi] = select(v, Y[yi] + v, P.accumulate != 0u);
    }
    workgroupBarrier();
  }
}
`,"../../kernels/mla_attention.wgsl":`// mla_attention: absorbed multi-head latent attention over the latent KV cache, causal.
//
// For head h and token t at position p = pos0 + t, over cached positions s <= p:
//   score(s) = scale * (q_abs[t][h] . c[s] + q_pe[t][h] . k_pe[s])
//   o_lat[t][h] = sum_s softmax(score)(s) * c[s]
// (q_abs = W_UK^T q_nope is computed before; o = W_UV o_lat after.) The softmax is online over
// chunks of 64 positions, so any context length works without scratch memory.
//
// Bindings: 0 QA (f32 [T][H][R] q_abs), 1 Q (f32, q with the roped q_pe inside), 2 C (f32 KV cache
// [n_ctx][R + n_rot] = c | k_pe), 3 O (f32 out [T][H][R]), 4 P, 5 S (step: T, pos0).
// q_pe of head h, token t: Q[t*q_stride + h*q_head + q_pe_off + i]. R <= 512 (8 values per invocation).
// Dispatch: (T, H, 1) workgroups of 64.

struct Params { R: u32, n_rot: u32, H: u32, q_stride: u32, q_head: u32, q_pe_off: u32, scale: f32, _p: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> QA: array<f32>;
@group(0) @binding(1) var<storage, read> Q: array<f32>;
@group(0) @binding(2) var<storage, read> C: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<uniform> S: Step;

var<workgroup> qv: array<f32, 576>;
var<workgroup> pr: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let h = wg.y;
  if (t >= S.T) { return; }
  let R = P.R;
  let row = R + P.n_rot;
  let qa = (t * P.H + h) * R;
  for (var i = lid; i < R; i += 64u) { qv[i] = QA[qa + i]; }
  for (var i = lid; i < P.n_rot; i += 64u) { qv[R + i] = Q[t * P.q_stride + h * P.q_head + P.q_pe_off + i]; }
  workgroupBarrier();

  let n = S.pos0 + t + 1u; // causal: positions 0 .. p
  var m = -3.0e38;
  var l = 0.0;
  var acc = array<f32, 8>();
  for (var c0 = 0u; c0 < n; c0 += 64u) {
    let s = c0 + lid;
    var score = -3.0e38;
    if (s < n) {
      var dot = 0.0;
      let co = s * row;
      for (var i = 0u; i < row; i++) { dot += qv[i] * C[co + i]; }
      score = dot * P.scale;
    }
    pr[lid] = score;
    workgroupBarrier();
    var cm = m;
    for (var j = 0u; j < 64u; j++) { cm = max(cm, pr[j]); }
    workgroupBarrier();
    pr[lid] = select(0.0, exp(score - cm), s < n);
    workgroupBarrier();
    let f = exp(m - cm);
    var lsum = 0.0;
    for (var j = 0u; j < 64u; j++) { lsum += pr[j]; }
    l = l * f + lsum;
    m = cm;
    for (var k = 0u; k < 8u; k++) {
      let d = lid + k * 64u;
      if (d < R) {
        var a = acc[k] * f;
        for (var j = 0u; j < 64u && c0 + j < n; j++) { a += pr[j] * C[(c0 + j) * row + d]; }
        acc[k] = a;
      }
    }
    workgroupBarrier();
  }
  for (var k = 0u; k < 8u; k++) {
    let d = lid + k * 64u;
    if (d < R) { O[qa + d] = acc[k] / l; }
  }
}
`,"../../kernels/moe_combine.wgsl":`// moe_combine: X[t][i] += sum_j wts[t][j] * Yp[t*k + j][i], the routed experts' weighted sum added to
// the residual stream.
//
// Bindings: 0 Yp (f32 [T*k][D]), 1 wts (f32 [T][k]), 2 X (f32 [T][D], accumulated), 3 P, 4 S (T).
// Dispatch: (ceil(D / 64), T, 1) workgroups of 64.

struct Params { D: u32, k: u32, _p0: u32, _p1: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> Yp: array<f32>;
@group(0) @binding(1) var<storage, read> wts: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wg.x * 64u + lid;
  let t = wg.y;
  if (i >= P.D || t >= S.T) { return; }
  var sum = 0.0;
  for (var j = 0u; j < P.k; j++) { sum += wts[t * P.k + j] * Yp[(t * P.k + j) * P.D + i]; }
  X[t * P.D + i] += sum;
}
`,"../../kernels/moe_matmul.wgsl":`// moe_matmul: for each (token, routed slot) pair p = t*k + j, with expert e = ids[p]:
//   Y[p][r] = sum_c W_e[r][c] * X[x(p)][c]
// where W_e is one part (gate, up or down) of expert e's record in this layer's expert cache, and
// x(p) = t (the token's hidden state, for gate/up) or p (the pair's activation, for down).
//
// The cache maps experts to record offsets through \`table\` (u32 words; 0xffffffff = not on the GPU
// now: that pair is left for a later wave of paging). Rows are in the stored row layout.
// Bindings: 0 W (the layer's expert cache, u32), 1 X (f32), 2 Y (f32 out [pairs][N]), 3 P,
// 4 S (step: T), 5 ids (u32 [T][k]), 6 table (u32 [E]).
// Dispatch: (grid_x, ceil(N / grid_x), T*k) workgroups of 64; one workgroup per row per pair.

struct Params {
  K: u32, N: u32, row_words: u32, part_words: u32,
  x_stride: u32, x_per_pair: u32, k: u32, grid_x: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;
@group(0) @binding(5) var<storage, read> ids: array<u32>;
@group(0) @binding(6) var<storage, read> table: array<u32>;

//!include quant

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x + wg.y * P.grid_x;
  let pair = wg.z;
  if (r >= P.N || pair >= S.T * P.k) { return; }
  let slot = table[ids[pair]];
  if (slot == 0xffffffffu) { return; }
  let row = slot + P.part_words + r * P.row_words;
  let xo = select(pair / P.k, pair, P.x_per_pair != 0u) * P.x_stride;
  let nb = P.K / QK;
  let subs = QK / 32u;
  var w: array<f32, 32>;
  var acc = 0.0;
  for (var u = lid; u < nb * subs; u += 64u) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let x0 = xo + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { acc += w[i] * X[x0 + i]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { Y[pair * P.N + r] = red[0]; }
}
`,"../../kernels/moe_route.wgsl":`// moe_route: the router's choice per token. From the router logits over E experts: probabilities by
// softmax (gating 0) or sigmoid (gating 1); the k most probable experts (lowest index on ties); their
// weights p[e] (divided by their sum when norm = 1), times \`scale\`.
//
// Bindings: 0 L (f32 [T][E] logits), 1 ids (u32 out [T][k]), 2 wts (f32 out [T][k]), 3 P, 4 S (T).
// Dispatch: (T, 1, 1) workgroups of 64; E <= 256, k <= 16.

struct Params { E: u32, k: u32, gating: u32, norm: u32, scale: f32, _p0: u32, _p1: u32, _p2: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> wts: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

var<workgroup> p: array<f32, 256>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let lo = t * P.E;
  for (var e = lid; e < P.E; e += 64u) { p[e] = L[lo + e]; }
  workgroupBarrier();
  if (lid != 0u) { return; }
  if (P.gating == 0u) {
    var mx = -3.0e38;
    for (var e = 0u; e < P.E; e++) { mx = max(mx, p[e]); }
    var sum = 0.0;
    for (var e = 0u; e < P.E; e++) { p[e] = exp(p[e] - mx); sum += p[e]; }
    for (var e = 0u; e < P.E; e++) { p[e] = p[e] / sum; }
  } else {
    for (var e = 0u; e < P.E; e++) { p[e] = 1.0 / (1.0 + exp(-p[e])); }
  }
  var chosen: array<u32, 16>;
  var total = 0.0;
  for (var j = 0u; j < P.k; j++) {
    var best = 0u;
    var bv = -1.0;
    for (var e = 0u; e < P.E; e++) {
      if (p[e] > bv) { bv = p[e]; best = e; }
    }
    chosen[j] = best;
    total += bv;
    p[best] = -2.0; // taken
  }
  for (var j = 0u; j < P.k; j++) {
    let e = chosen[j];
    ids[t * P.k + j] = e;
  }
  // p[] was overwritten for the chosen ones: recompute their weights from the logits.
  var mx = -3.0e38;
  var sum = 0.0;
  if (P.gating == 0u) {
    for (var e = 0u; e < P.E; e++) { mx = max(mx, L[lo + e]); }
    for (var e = 0u; e < P.E; e++) { sum += exp(L[lo + e] - mx); }
  }
  for (var j = 0u; j < P.k; j++) {
    let x = L[lo + chosen[j]];
    var w = select(1.0 / (1.0 + exp(-x)), exp(x - mx) / sum, P.gating == 0u);
    if (P.norm != 0u) { w = w / total; }
    wts[t * P.k + j] = w * P.scale;
  }
}
`,"../../kernels/quant/bf16.wgsl":`// BF16 rows: 32 values (16 words) per "block"; a bf16 is the top half of an f32.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let v = W[base + i];
    (*w)[2u * i] = bitcast<f32>(v << 16u);
    (*w)[2u * i + 1u] = bitcast<f32>(v & 0xffff0000u);
  }
}
`,"../../kernels/quant/common.wgsl":`// Shared helpers for the per-type decoders (kernels/quant/*.wgsl).
//
// Every decoder reads weights in the stored row layout (workers/store/layout.ts): a row of nb blocks is
// the nb block bodies, then the nb scale fields (f16 values, SCALE_BYTES per block), 4-byte aligned.
// \`row\` is the u32 index of the row's first word in W, which the including kernel binds.

// Byte \`i\` of the bytes that start at word \`base\`.
fn byte_at(base: u32, i: u32) -> u32 {
  return (W[base + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
}

// The k-th f16 of block b's scale fields, as f32.
fn scale_f16(row: u32, nb: u32, b: u32, k: u32) -> f32 {
  let byte_off = nb * BODY_WORDS * 4u + b * SCALE_BYTES + k * 2u;
  let pair = unpack2x16float(W[row + (byte_off >> 2u)]);
  return select(pair.x, pair.y, (byte_off & 2u) != 0u);
}
`,"../../kernels/quant/f16.wgsl":`// F16 rows: 32 halves (16 words) per "block"; no scales.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let p = unpack2x16float(W[base + i]);
    (*w)[2u * i] = p.x;
    (*w)[2u * i + 1u] = p.y;
  }
}
`,"../../kernels/quant/f32.wgsl":`// F32 rows: 32 consecutive floats make a "block" for the kernels' loops (rows must be multiples of 32).
const QK: u32 = 32u;
const BODY_WORDS: u32 = 32u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 32u;
  for (var i = 0u; i < 32u; i++) { (*w)[i] = bitcast<f32>(W[base + i]); }
}
`,"../../kernels/quant/q4_0.wgsl":`// Q4_0: 32 weights per block; body = 16 bytes of nibbles, scale = f16 d.
// w[j] = (lo(q[j]) - 8) * d, w[j + 16] = (hi(q[j]) - 8) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = (f32(q & 15u) - 8.0) * d;
    (*w)[j + 16u] = (f32(q >> 4u) - 8.0) * d;
  }
}
`,"../../kernels/quant/q4_1.wgsl":`// Q4_1: 32 weights per block; body = 16 bytes of nibbles, scales = f16 d, f16 m.
// w[j] = lo(q[j]) * d + m, w[j + 16] = hi(q[j]) * d + m.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let m = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = f32(q & 15u) * d + m;
    (*w)[j + 16u] = f32(q >> 4u) * d + m;
  }
}
`,"../../kernels/quant/q4_k.wgsl":`// Q4_K: 256 weights per block in 8 sub-blocks of 32; body = 12 bytes of packed 6-bit scales and mins,
// then 128 bytes of nibbles; scales = f16 d, f16 dmin.
// Sub-block s uses bytes [32*(s/2), +32) of the nibbles, low nibbles when s is even, high when odd:
// w = d * sc[s] * q - dmin * m[s].
const QK: u32 = 256u;
const BODY_WORDS: u32 = 35u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let dmin = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  var sc: u32;
  var mn: u32;
  if (s < 4u) {
    sc = byte_at(base, s) & 63u;
    mn = byte_at(base, s + 4u) & 63u;
  } else {
    sc = (byte_at(base, s + 4u) & 15u) | ((byte_at(base, s - 4u) >> 6u) << 4u);
    mn = (byte_at(base, s + 4u) >> 4u) | ((byte_at(base, s) >> 6u) << 4u);
  }
  let d1 = d * f32(sc);
  let m1 = dmin * f32(mn);
  let shift = (s & 1u) * 4u;
  let q0 = 12u + (s >> 1u) * 32u;
  for (var l = 0u; l < 32u; l++) {
    (*w)[l] = d1 * f32((byte_at(base, q0 + l) >> shift) & 15u) - m1;
  }
}
`,"../../kernels/quant/q5_0.wgsl":`// Q5_0: 32 weights per block; body = 4 bytes of high bits (qh) then 16 bytes of nibbles; scale = f16 d.
// w[j] = ((lo(q[j]) | bit j of qh << 4) - 16) * d, w[j + 16] = ((hi(q[j]) | bit j+16 of qh << 4) - 16) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 5u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let qh = W[base];
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base + 1u, j);
    let h0 = ((qh >> j) & 1u) << 4u;
    let h1 = ((qh >> (j + 16u)) & 1u) << 4u;
    (*w)[j] = (f32((q & 15u) | h0) - 16.0) * d;
    (*w)[j + 16u] = (f32((q >> 4u) | h1) - 16.0) * d;
  }
}
`,"../../kernels/quant/q6_k.wgsl":`// Q6_K: 256 weights per block in 8 sub-blocks of 32; body = 128 bytes of low nibbles (ql), 64 bytes of
// high bit pairs (qh), 16 int8 scales; scale = f16 d (last in the ggml block).
// Sub-block s: half h = s / 4 (weights 128h..), quarter q = s % 4; for l < 32:
// ql byte 64h + l + 32(q & 1), high nibble when q >= 2; qh byte 32h + l, bits 2q..2q+1;
// w = d * scale[8h + 2q + l / 16] * (q6 - 32).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 52u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let h = s >> 2u;
  let q = s & 3u;
  let ql0 = 64u * h + 32u * (q & 1u);
  let lo_shift = select(0u, 4u, q >= 2u);
  for (var l = 0u; l < 32u; l++) {
    let lo = (byte_at(base, ql0 + l) >> lo_shift) & 15u;
    let hi = (byte_at(base, 128u + 32u * h + l) >> (2u * q)) & 3u;
    let sc = f32(extractBits(bitcast<i32>(byte_at(base, 192u + 8u * h + 2u * q + (l >> 4u))), 0u, 8u));
    (*w)[l] = d * sc * (f32(lo | (hi << 4u)) - 32.0);
  }
}
`,"../../kernels/quant/q8_0.wgsl":`// Q8_0: 32 weights per block; body = 32 signed bytes; scale = f16 d. w[j] = q[j] * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 8u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var i = 0u; i < 8u; i++) {
    let v = bitcast<i32>(W[base + i]);
    for (var k = 0u; k < 4u; k++) {
      (*w)[4u * i + k] = f32(extractBits(v, k * 8u, 8u)) * d;
    }
  }
}
`,"../../kernels/rmsnorm.wgsl":`// rmsnorm: Y[row] = X[row] / sqrt(mean(X[row]^2) + eps) * g, over \`dim\` values, in f32.
//
// Serves the attention and FFN norms, the final norm (last token only), and the norm of MLA's latent
// c, which it writes straight into the KV cache at the token's position.
// Bindings: 0 X (f32), 1 g (f32 weights), 2 Y (f32 out), 3 P, 4 S (step: T, pos0).
// Layout: X[t] starts at x_base + t*x_stride. Y's row is t, or pos0 + t when y_at_pos = 1, or 0 for
// the last token alone when last_only = 1; it starts at y_base + row*y_stride.
// Dispatch: (T, 1, 1) workgroups of 64, or (1, 1, 1) with last_only.

struct Params {
  dim: u32, x_base: u32, x_stride: u32, y_base: u32,
  y_stride: u32, y_at_pos: u32, last_only: u32, eps: f32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var t = wg.x;
  if (P.last_only != 0u) { t = S.T - 1u; }
  if (t >= S.T) { return; }
  let xo = P.x_base + t * P.x_stride;
  var ss = 0.0;
  for (var i = lid; i < P.dim; i += 64u) { let v = X[xo + i]; ss += v * v; }
  part[lid] = ss;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { part[lid] += part[lid + stride]; }
    workgroupBarrier();
  }
  let inv = 1.0 / sqrt(part[0] / f32(P.dim) + P.eps);
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  if (P.last_only != 0u) { row = 0u; }
  let yo = P.y_base + row * P.y_stride;
  for (var i = lid; i < P.dim; i += 64u) { Y[yo + i] = X[xo + i] * inv * g[i]; }
}
`,"../../kernels/rope.wgsl":`// rope: rotates adjacent pairs (x[2i], x[2i+1]) of each head's rope slice by the angle of the token's
// position (DeepSeek-V2 pairs neighbours, not NeoX halves). The YaRN angles are computed on the host
// in f64 for this step's positions and arrive as a cos/sin table, so no large-argument sin/cos runs
// in f32 here.
//
// Bindings: 0 X (f32), 1 cs (f32 [T][n_rot/2][2] = cos, sin), 2 Y (f32 out; may alias nothing), 3 P,
// 4 S (step: T, pos0).
// Layout: head h of token t reads X[x_base + t*x_stride + h*x_head + 2i (+1)] and writes
// Y[y_base + row*y_stride + h*y_head + 2i (+1)], row = t, or pos0 + t when y_at_pos = 1 (the KV cache).
// Dispatch: (T, heads, 1) workgroups of 32 (one invocation per pair).

struct Params {
  n_rot: u32, x_base: u32, x_stride: u32, x_head: u32,
  y_base: u32, y_stride: u32, y_head: u32, y_at_pos: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> cs: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let half = P.n_rot / 2u;
  if (t >= S.T || i >= half) { return; }
  let c = cs[(t * half + i) * 2u];
  let s = cs[(t * half + i) * 2u + 1u];
  let xo = P.x_base + t * P.x_stride + h * P.x_head + 2u * i;
  let x0 = X[xo];
  let x1 = X[xo + 1u];
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  let yo = P.y_base + row * P.y_stride + h * P.y_head + 2u * i;
  Y[yo] = x0 * c - x1 * s;
  Y[yo + 1u] = x0 * s + x1 * c;
}
`,"../../kernels/sample.wgsl":`// sample: the last pass of a sampling step (workers/runtime/sampler.ts); one workgroup writes the result.
//  - Merges the per-workgroup top-5 raw logits and greedy picks of sample_prep.
//  - Greedy (P.mode 0): the pick is the best penalized key, lowest id on ties. Done.
//  - Sampling: sorts the C candidates of sample_collect (bitonic, by key descending then id ascending),
//    then one invocation, in candidate order: weights e_c = exp(v_c - v_0) by exp_neg below; running
//    sums c_c; keeps the first n with c_(n-1) >= top_p * c_(C-1); draws u in [0, 1) from
//    pcg(pcg(seed) + step); picks the first c < n with c_c > u * c_(n-1). Every float operation is a
//    single correctly rounded + - * (WGSL's exp and / are not), in a fixed order, so the CPU reference
//    (workers/runtime/sampling-reference.ts) reproduces it bit for bit.
//
// Bindings: 0 W per-workgroup results of sample_prep (u32[G*12]), 1 Cand (u32[2*1024] key/id pairs),
//           2 R result (u32[16]), 3 P params (P.G: how many workgroups sample_prep ran).
// Result:   R[0] chosen id, R[1] candidates kept by top_p, R[2] C, R[3] rank of the pick among them,
//           R[4..8] top-5 raw ids (0xffffffff: none), R[9..13] their keys (see sample_prep), R[14] u bits,
//           R[15] bits of the weight sum c_(C-1) (1 when greedy).
// Dispatch: 1 workgroup of 256.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> Cand: array<u32>;
@group(0) @binding(2) var<storage, read_write> R: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const TOP: u32 = 5u;
const MAX_CAND: u32 = 1024u;
const NONE: u32 = 0xffffffffu;

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

fn float_of(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
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

var<workgroup> sk: array<u32, 1024>;
var<workgroup> si: array<u32, 1024>;
var<workgroup> cum: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    var mk = array<u32, 5>(0u, 0u, 0u, 0u, 0u);
    var mi = array<u32, 5>(NONE, NONE, NONE, NONE, NONE);
    var best_k = 0u;
    var best_i = NONE;
    for (var g = 0u; g < P.G; g++) {
      for (var j = 0u; j < TOP; j++) {
        let k = W[g * 12u + j];
        let i = W[g * 12u + 5u + j];
        if (better(k, i, mk[TOP - 1u], mi[TOP - 1u])) {
          var n = TOP - 1u;
          while (n > 0u && better(k, i, mk[n - 1u], mi[n - 1u])) { mk[n] = mk[n - 1u]; mi[n] = mi[n - 1u]; n--; }
          mk[n] = k; mi[n] = i;
        }
      }
      if (better(W[g * 12u + 10u], W[g * 12u + 11u], best_k, best_i)) { best_k = W[g * 12u + 10u]; best_i = W[g * 12u + 11u]; }
    }
    for (var j = 0u; j < TOP; j++) { R[4u + j] = mi[j]; R[9u + j] = mk[j]; }
    if (P.mode == 0u) { R[0] = best_i; R[1] = 1u; R[2] = 1u; R[3] = 0u; R[14] = 0u; R[15] = bitcast<u32>(1.0); }
  }
  if (P.mode == 0u) { return; }

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
`,"../../kernels/sample_collect.wgsl":`// sample_collect: writes the top C tokens found by the radix select (sample_hist, sample_scan) as
// (key, id) pairs, in no particular order: the set is exact, sample.wgsl sorts it.
//
// Token i is in when its composite key (K[i], t = 0xffffff - i), cut to the decided digits, is >= the
// decided prefix: (K[i] & mask_hi) > pre_hi, or equal there and (t & mask_lo) >= pre_lo. Exactly C
// tokens pass (composite keys are distinct), each taking a slot from S.count.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (u32[16]; count is the atomic cursor),
//           2 Cand (u32[2*1024]: Cand[2s] key, Cand[2s+1] id), 3 P params.
// Dispatch: ceil(V / 4096) workgroups of 256, as sample_hist.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
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
const PER: u32 = 16u;

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
`,"../../kernels/sample_hist.wgsl":`// sample_hist: one level of the radix select that finds the top C tokens (workers/runtime/sampler.ts).
//
// Tokens are ranked by a 56-bit composite key: the 32-bit selection key K[i] (see sample_prep), then
// 24 bits of t = 0xffffff - i, so that among equal keys the lower id ranks higher and every composite
// key is distinct: exactly C tokens rank at or above the C-th. The select walks the composite key in
// 8-bit digits from the top, levels 0-3 over K[i] and 4-6 over t. At each level this pass counts, per
// value of the current digit, the tokens whose already-decided digits equal the prefix found so far
// (S.pre_hi/pre_lo under S.mask_hi/mask_lo); sample_scan then picks the digit. Once the select is
// done (S.done), the remaining levels return at once.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (u32[16], read), 2 Hist (atomic u32[256]), 3 P params.
// Dispatch: ceil(V / 4096) workgroups of 256; invocation l of workgroup g reads g*4096 + l + 256*e.

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

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read> S: State;
@group(0) @binding(2) var<storage, read_write> Hist: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 16u;

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (S.done != 0u) { return; } // a read-only binding: uniform across the workgroup
  atomicStore(&local_hist[lid], 0u);
  workgroupBarrier();
  let lo = S.level >= 4u;
  let shift = select(24u - 8u * S.level, 16u - 8u * (S.level - 4u), lo);
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    let k = K[i];
    let t = 0xffffffu - i;
    if ((k & S.mask_hi) == S.pre_hi && (t & S.mask_lo) == S.pre_lo) {
      atomicAdd(&local_hist[(select(k, t, lo) >> shift) & 0xffu], 1u);
    }
  }
  workgroupBarrier();
  let c = atomicLoad(&local_hist[lid]);
  if (c != 0u) { atomicAdd(&Hist[lid], c); }
}
`,"../../kernels/sample_prep.wgsl":`// sample_prep: the first pass of a sampling step (workers/runtime/sampler.ts). Reads the logits once:
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
`,"../../kernels/sample_scan.wgsl":`// sample_scan: decides one digit of the radix select (see sample_hist) from its histogram, in one
// invocation (256 bins: cheaper than a parallel scan's barriers).
//
// Walking the bins from the highest digit down, it finds digit d where the count of tokens in higher
// bins (all of them in the top C) plus Hist[d] first reaches S.need, the tokens still wanted among
// those matching the prefix. d joins the prefix; S.need drops by the count above it. If bin d holds
// exactly S.need tokens, they are all in: the select is done, and the top C are the tokens whose
// composite key, cut to the decided digits, is >= the prefix (sample_collect). The histogram is zeroed
// for the next level.
//
// Bindings: 0 Hist (u32[256]), 1 S select state (u32[16]):
//   level (next digit, 0-6), need, pre_hi, pre_lo (decided bits of key and of t), mask_hi, mask_lo
//   (which bits are decided), done, count (sample_collect's output cursor).
// Dispatch: 1 workgroup of 1, after each sample_hist.

struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: u32,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: State;

@compute @workgroup_size(1)
fn main() {
  if (S.done != 0u) { return; }
  var above = 0u;
  var d = 0u;
  var found = false;
  for (var b = 255i; b >= 0; b--) {
    let h = Hist[b];
    if (above + h >= S.need) { d = u32(b); found = true; break; }
    above += h;
  }
  let need = S.need - select(0u, above, found);
  let in_bin = Hist[d];
  for (var b = 0u; b < 256u; b++) { Hist[b] = 0u; }
  if (S.level < 4u) {
    let shift = 24u - 8u * S.level;
    S.pre_hi |= d << shift;
    S.mask_hi |= 0xffu << shift;
  } else {
    let shift = 16u - 8u * (S.level - 4u);
    S.pre_lo |= d << shift;
    S.mask_lo |= 0xffu << shift;
  }
  S.need = need;
  // !found cannot happen (need <= tokens matching the prefix); stopping keeps collect in bounds anyway
  S.done = select(0u, 1u, in_bin == need || !found || S.level >= 6u);
  S.level += 1u;
}
`,"../../kernels/silu_mul.wgsl":`// silu_mul: A[i] = silu(G[i]) * U[i] = G[i] / (1 + exp(-G[i])) * U[i], for i < rows * n.
//
// Bindings: 0 G (f32), 1 U (f32), 2 A (f32 out), 3 P, 4 S (step: T). rows = T * rows_per_token.
// Dispatch: (ceil(n_max / 256) over a 2-D grid: x + y * grid_x) workgroups of 256.

struct Params { n: u32, rows_per_token: u32, grid_x: u32, _p: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> G: array<f32>;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * P.grid_x) * 256u + lid;
  if (i >= S.T * P.rows_per_token * P.n) { return; }
  let g = G[i];
  A[i] = g / (1.0 + exp(-g)) * U[i];
}
`});function r(e){let t=n[`../../kernels/${e}.wgsl`];if(t===void 0)throw Error(`no kernel source kernels/${e}.wgsl`);return t}function i(e,t){let n=r(e);if(!n.includes(`//!include quant`))return n;if(!t)throw Error(`kernel ${e} reads weights: give their type`);return n.replace(`//!include quant`,`${r(`quant/${t.toLowerCase()}`)}\n${r(`quant/common`)}`)}var a=class{device;pipelines=new Map;constructor(e){this.device=e}pipeline(e,t){let n=t?`${e}:${t}`:e,r=this.pipelines.get(n);if(!r){let a=this.device.createShaderModule({code:i(e,t),label:n});r=this.device.createComputePipeline({layout:`auto`,compute:{module:a,entryPoint:`main`},label:n}),this.pipelines.set(n,r)}return r}uniform(e,t,n=new Set){let r=Math.ceil(e.length/4)*4,i=this.device.createBuffer({size:r*4,usage:GPUBufferUsage.UNIFORM|GPUBufferUsage.COPY_DST,label:t}),a=new ArrayBuffer(r*4),o=new Uint32Array(a),s=new Float32Array(a);return e.forEach((e,t)=>{n.has(t)?s[t]=e:o[t]=e}),this.device.queue.writeBuffer(i,0,a),i}};function o(e,t,n,r){return e.createBindGroup({layout:t.getBindGroupLayout(0),entries:n.map((e,t)=>({binding:t,resource:e instanceof GPUBuffer?{buffer:e}:e})),label:r})}function s(e,t,n){for(let r of t){let[t,i,a]=typeof r.workgroups==`function`?r.workgroups(n):r.workgroups;t*i*a!==0&&(e.setPipeline(r.pipeline),e.setBindGroup(0,r.bindGroup),e.dispatchWorkgroups(t,i,a))}}export{t as i,o as n,s as r,a as t};
//# sourceMappingURL=kernels-De_ndqWT.js.map