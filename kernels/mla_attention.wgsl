// mla_attention: absorbed multi-head latent attention over the latent KV cache, causal, for a step of
// T tokens (prefill; decode steps use mla_attention_split + mla_attention_combine).
//
// For head h and token t at position p = pos0 + t, over cached positions s <= p:
//   score(s) = scale * (q_abs[t][h] . kv_cmpr[s] + q_pe[t][h] . k_pe[s])
//   o_lat[t][h] = sum_s softmax(score)(s) * kv_cmpr[s]
// (q_abs = wk_b^T q_nope is computed before; o = wv_b o_lat after.)
//
// Tiled as flash attention: a workgroup takes TQ queries (tokens) of one head and walks the cache in
// tiles of TK positions. Each tile of cache rows (kv_cmpr | k_pe) is loaded into workgroup memory once
// and used by every query of the workgroup, for the scores and again for the weighted sum. Work is in
// register blocks of 4 x 4, as mat4x4 products, so that each load feeds four multiply-adds or more:
//   scores: a block of 4 queries x 4 positions, sum over the row of transpose(K) * Q (vec4 slices);
//   NB = TQ / 4 * TK / 4 blocks; when they are fewer than the invocations (the real model's latent of
//   576 leaves room for few positions), each block's row is cut into SLICES ranges, one invocation
//   each, and their partial blocks are summed through workgroup memory;
//   output: a block of 4 queries x 4 vec4 columns of o_lat, four mat4x4 accumulators, += V * P per
//   group of 4 positions. Each invocation owns one output block for the whole walk.
// The softmax is online: per query a running max and sum, the accumulators rescaled per tile; each
// query's max and sum over a tile is taken once, by one invocation (all queries at once).
//
// Bindings: 0 QA (f32 q_abs [T][H][R], read as vec4), 1 QP (f32, the roped q_pe, read as vec4),
// 2 C (the KV cache [n_ctx][R + n_rot] in KvWord words of four values: kv/f32 or kv/f16), 3 O (f32 out
// o_lat [T][H][R], as vec4), 4 P (common/mla_params), 5 S (step: T, pos0).
// Layout: q_pe of token t, head h is QP[q_base + t*q_stride + h*q_head + i], i < n_rot; R, n_rot and
// the q_pe offsets are multiples of 4.
// Dispatch: (ceil(T / TQ), H, 1) workgroups of WG. Overrides (Ops.attention, attentionTiles: from the
// device's limits): WG; TQ, TK (multiples of 4); R4 = R / 4; LAT4 = (R + n_rot) / 4; CB = ceil(R4 / 4)
// output column blocks, with TQ / 4 * CB <= WG; TILE = TK * LAT4; SC4 = TQ * TK / 4; NB = TQ * TK / 16;
// SLICES (NB * SLICES <= WG, SLICES <= LAT4); PARTS = SLICES * NB * 4 when SLICES > 1, else 1.

//!include common/mla_params
//!include common/step
//!include kv

@group(0) @binding(0) var<storage, read> QA: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> QP: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> C: array<KvWord>;
@group(0) @binding(3) var<storage, read_write> O: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<uniform> S: Step;

override WG: u32;
override TQ: u32;
override TK: u32;
override R4: u32;
override LAT4: u32;
override CB: u32;
override TILE: u32;
override SC4: u32;
override NB: u32;
override SLICES: u32;
override PARTS: u32;

const NEG = -3.0e38;

// the tile of cache rows, unpacked to f32: [TK][LAT4]
var<workgroup> kt: array<vec4<f32>, TILE>;
// scores of the tile, then their softmax weights: [TQ][TK / 4] vec4s (4 positions each)
var<workgroup> sc: array<vec4<f32>, SC4>;
// partial score blocks of the slices, [SLICES][NB][4] vec4s (1 when SLICES = 1)
var<workgroup> part: array<vec4<f32>, PARTS>;
// per query: running max, running sum, this tile's rescale factor
var<workgroup> mrow: array<f32, TQ>;
var<workgroup> lrow: array<f32, TQ>;
var<workgroup> frow: array<f32, TQ>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t0 = wg.x * TQ;
  let h = wg.y;
  if (t0 >= S.T) { return; }
  let nq = min(TQ, S.T - t0);
  // the last query of the workgroup sees positions 0 .. n_end - 1
  let n_end = S.pos0 + t0 + nq;
  let kb4 = TK / 4u;
  // this invocation's output block: queries 4*qb .. 4*qb+3, vec4 columns 4*jb .. 4*jb+3
  let own = lid < TQ / 4u * CB;
  let qb = lid / CB;
  let jb = lid % CB;
  var o0 = mat4x4<f32>();
  var o1 = mat4x4<f32>();
  var o2 = mat4x4<f32>();
  var o3 = mat4x4<f32>();
  for (var q = lid; q < TQ; q += WG) { mrow[q] = NEG; lrow[q] = 0.0; }

  for (var k0 = 0u; k0 < n_end; k0 += TK) {
    workgroupBarrier(); // the previous tile is used up
    for (var e = lid; e < TILE; e += WG) {
      let s = k0 + e / LAT4;
      var v = vec4<f32>(0.0);
      if (s < n_end) { v = kv_unpack4(C[s * LAT4 + e % LAT4]); }
      kt[e] = v;
    }
    workgroupBarrier();

    // scores, a block of 4 queries x 4 positions at a time: blk[a][b] = q_a . k_b (the q_abs part
    // against kv_cmpr, then the q_pe part against k_pe). With fewer blocks than invocations (a wide
    // latent) each block's dot products are split into SLICES ranges of the row, summed below.
    for (var b = lid; b < NB * SLICES; b += WG) {
      let blkq = b % NB;
      let slice = b / NB;
      let bq = blkq / kb4;
      let bk = blkq % kb4;
      let t = min(vec4<u32>(t0 + 4u * bq) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(S.T - 1u));
      let qa = (t * P.H + h) * R4;
      let qp = (vec4<u32>(P.q_base) + t * P.q_stride + h * P.q_head) / 4u - R4;
      let kr = (4u * bk) * LAT4;
      let i0 = slice * LAT4 / SLICES;
      let i1 = (slice + 1u) * LAT4 / SLICES;
      var blk = mat4x4<f32>();
      for (var i = i0; i < min(i1, R4); i++) {
        let qm = mat4x4<f32>(QA[qa.x + i], QA[qa.y + i], QA[qa.z + i], QA[qa.w + i]);
        let km = mat4x4<f32>(kt[kr + i], kt[kr + LAT4 + i], kt[kr + 2u * LAT4 + i], kt[kr + 3u * LAT4 + i]);
        blk += transpose(km) * qm;
      }
      for (var i = max(i0, R4); i < i1; i++) {
        let qm = mat4x4<f32>(QP[qp.x + i], QP[qp.y + i], QP[qp.z + i], QP[qp.w + i]);
        let km = mat4x4<f32>(kt[kr + i], kt[kr + LAT4 + i], kt[kr + 2u * LAT4 + i], kt[kr + 3u * LAT4 + i]);
        blk += transpose(km) * qm;
      }
      if (SLICES == 1u) {
        for (var a = 0u; a < 4u; a++) { sc[(4u * bq + a) * kb4 + bk] = blk[a] * P.scale; }
      } else {
        for (var a = 0u; a < 4u; a++) { part[b * 4u + a] = blk[a]; }
      }
    }
    if (SLICES > 1u) {
      workgroupBarrier();
      for (var e = lid; e < SC4; e += WG) {
        let q = e / kb4;
        let blkq = (q / 4u) * kb4 + e % kb4;
        var v = vec4<f32>(0.0);
        for (var slice = 0u; slice < SLICES; slice++) { v += part[(slice * NB + blkq) * 4u + q % 4u]; }
        sc[e] = v * P.scale;
      }
    }
    workgroupBarrier();

    // the online softmax, one invocation per query: the tile's max, the weights, the running sum
    for (var q = lid; q < TQ; q += WG) {
      let last = S.pos0 + t0 + q; // q's last visible position
      var mx = mrow[q];
      for (var g = 0u; g < kb4; g++) {
        let pos = vec4<u32>(k0 + 4u * g) + vec4<u32>(0u, 1u, 2u, 3u);
        let v = select(vec4<f32>(NEG), sc[q * kb4 + g], pos <= vec4<u32>(last));
        mx = max(mx, max(max(v.x, v.y), max(v.z, v.w)));
      }
      var sum = 0.0;
      for (var g = 0u; g < kb4; g++) {
        let pos = vec4<u32>(k0 + 4u * g) + vec4<u32>(0u, 1u, 2u, 3u);
        let p = select(vec4<f32>(0.0), exp(sc[q * kb4 + g] - vec4<f32>(mx)), (pos <= vec4<u32>(last)) & vec4<bool>(q < nq));
        sc[q * kb4 + g] = p;
        sum += p.x + p.y + p.z + p.w;
      }
      let f = exp(mrow[q] - mx);
      frow[q] = f;
      lrow[q] = lrow[q] * f + sum;
      mrow[q] = mx;
    }
    workgroupBarrier();

    // the weighted sum into the rescaled accumulators: o_j += V_j * P per group of 4 positions
    if (own) {
      let qr = 4u * qb;
      let f = vec4<f32>(frow[qr], frow[qr + 1u], frow[qr + 2u], frow[qr + 3u]);
      o0 = mat4x4<f32>(o0[0] * f.x, o0[1] * f.y, o0[2] * f.z, o0[3] * f.w);
      o1 = mat4x4<f32>(o1[0] * f.x, o1[1] * f.y, o1[2] * f.z, o1[3] * f.w);
      o2 = mat4x4<f32>(o2[0] * f.x, o2[1] * f.y, o2[2] * f.z, o2[3] * f.w);
      o3 = mat4x4<f32>(o3[0] * f.x, o3[1] * f.y, o3[2] * f.z, o3[3] * f.w);
      // columns past R4 (the last block when R is no multiple of 16) read k_pe or repeat the row's last
      // value, and are never stored
      let c = 4u * jb;
      let c1 = min(c + 1u, LAT4 - 1u);
      let c2 = min(c + 2u, LAT4 - 1u);
      let c3 = min(c + 3u, LAT4 - 1u);
      for (var g = 0u; g < kb4; g++) {
        let pm = mat4x4<f32>(sc[qr * kb4 + g], sc[(qr + 1u) * kb4 + g], sc[(qr + 2u) * kb4 + g], sc[(qr + 3u) * kb4 + g]);
        let r0 = (4u * g) * LAT4;
        let r1 = r0 + LAT4;
        let r2 = r1 + LAT4;
        let r3 = r2 + LAT4;
        o0 += mat4x4<f32>(kt[r0 + c], kt[r1 + c], kt[r2 + c], kt[r3 + c]) * pm;
        o1 += mat4x4<f32>(kt[r0 + c1], kt[r1 + c1], kt[r2 + c1], kt[r3 + c1]) * pm;
        o2 += mat4x4<f32>(kt[r0 + c2], kt[r1 + c2], kt[r2 + c2], kt[r3 + c2]) * pm;
        o3 += mat4x4<f32>(kt[r0 + c3], kt[r1 + c3], kt[r2 + c3], kt[r3 + c3]) * pm;
      }
    }
  }

  if (own) {
    for (var a = 0u; a < 4u; a++) {
      let q = 4u * qb + a;
      if (q < nq) {
        let base = ((t0 + q) * P.H + h) * R4 + 4u * jb;
        let inv = 1.0 / lrow[q];
        if (4u * jb < R4) { O[base] = o0[a] * inv; }
        if (4u * jb + 1u < R4) { O[base + 1u] = o1[a] * inv; }
        if (4u * jb + 2u < R4) { O[base + 2u] = o2[a] * inv; }
        if (4u * jb + 3u < R4) { O[base + 3u] = o3[a] * inv; }
      }
    }
  }
}
