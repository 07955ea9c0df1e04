// The Params of the attention kernels (mla_attention, mla_attention_split; params.ts, MLA_PARAMS):
//   R         the latent's width (kv_lora_rank); n_rot the rope slice's (qk_rope)
//   H         heads
//   q_base, q_stride, q_head   where q_pe of token t, head h starts: q_base + t*q_stride + h*q_head
//             (f32 elements, all multiples of 4: q_pe is read as vec4)
//   scale     the softmax scale (mscale^2 / sqrt(qk_nope + qk_rope) for YaRN)

struct Params { R: u32, n_rot: u32, H: u32, q_base: u32, q_stride: u32, q_head: u32, scale: f32 }
