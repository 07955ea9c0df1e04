// The KV cache's f16 form (half the memory of f32): four values in two u32 words, each word two f16
// packed with pack2x16float (value 2i in the low half, as ggml's f16 rows are laid out). Plain WGSL:
// no shader-f16 needed. A cache row of LATENT values is LATENT / 4 words.

alias KvWord = vec2<u32>;

fn kv_unpack4(w: KvWord) -> vec4<f32> { return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)); }

fn kv_pack4(v: vec4<f32>) -> KvWord { return vec2<u32>(pack2x16float(v.xy), pack2x16float(v.zw)); }
