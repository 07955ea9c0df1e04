// The KV cache's f32 form: a cache row of LATENT values is LATENT / 4 words of four f32 values.
// Kernels that read or write the cache declare it as array<KvWord> and go through these two.

alias KvWord = vec4<f32>;

fn kv_unpack4(w: KvWord) -> vec4<f32> { return w; }

fn kv_pack4(v: vec4<f32>) -> KvWord { return v; }
