// embed: X[t][k] = token_embd[ids[t]][k], dequantized from the stored row layout.
//
// Bindings: 0 W (token_embd, u32 words), 1 ids (u32 per token), 2 X (f32 out), 3 P, 4 S (step: T).
// Layout: X[t][k] = X[t * K + k]. Dispatch: (T, 1, 1) workgroups of WG.

struct Params { K: u32, row_words: u32 }
//!include common/step

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

// Invocations per workgroup: set by Ops (workers/runtime/ops.ts).
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let row = ids[t] * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  var w: array<f32, 32>;
  for (var u = lid; u < nb * subs; u += WG) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let o = t * P.K + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { X[o + i] = w[i]; }
  }
}
