// The radix select's state (sample_prep resets it, sample_hist reads it, sample_scan advances it,
// sample_collect reads it and takes output slots from `count`); 16 words, in a storage buffer.
//   level  the next 8-bit digit to decide (0-6: four of the key, three of t = 0xffffff - id)
//   need   tokens still wanted among those matching the prefix
//   pre_hi, pre_lo    decided bits of the key and of t; mask_hi, mask_lo  which bits are decided
//   done   1 once the top C set is decided
//   count  sample_collect's output cursor
// The including kernel says how it uses `count`: `alias SelectCount = u32;` to read or reset it,
// `alias SelectCount = atomic<u32>;` to take slots from it (sample_collect).

struct SelectState {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: SelectCount,
  _p: array<u32, 8>,
}
