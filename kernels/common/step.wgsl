// The step uniform (workers/runtime/params.ts, STEP): what changes from one step of the model to the
// next. Written once per step by DeepSeek2.step; every kernel whose work depends on the step binds it.
//   T     tokens fed this step (1 when decoding)
//   pos0  position of the first of them in the sequence (and its row in the KV cache)

struct Step { T: u32, pos0: u32 }
