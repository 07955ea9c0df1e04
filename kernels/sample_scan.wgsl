// sample_scan: decides one digit of the radix select (see sample_hist) from its histogram, in one
// invocation (256 bins: cheaper than a parallel scan's barriers).
//
// Walking the bins from the highest digit down, it finds digit d where the count of tokens in higher
// bins (all of them in the top C) plus Hist[d] first reaches S.need, the tokens still wanted among
// those matching the prefix. d joins the prefix; S.need drops by the count above it. If bin d holds
// exactly S.need tokens, they are all in: the select is done, and the top C are the tokens whose
// composite key, cut to the decided digits, is >= the prefix (sample_collect). The histogram is zeroed
// for the next level.
//
// Bindings: 0 Hist (u32[256]), 1 S select state (common/select_state.wgsl).
// Dispatch: 1 workgroup of 1, after each sample_hist.

alias SelectCount = u32;
//!include common/select_state

@group(0) @binding(0) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: SelectState;

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
