// copy: dst[i] = src[i] for i < n, over 16-byte words (vec4<u32>). A plain copy: the memory-bandwidth
// yardstick that npm run bench holds the matmul kernel's effective bandwidth against (it reads the same
// weight bytes and writes them out, so it moves 2 * 16 * n bytes).
//
// Bindings: 0 src (vec4<u32>), 1 dst (vec4<u32>), 2 P (n, grid_x).
// Layout: both buffers hold at least n vec4<u32> from offset 0; bytes past 16 * n are not touched.
// Dispatch: (grid_x, ceil(ceil(n / WG) / grid_x), 1) workgroups of WG; invocation x + y * grid_x of
// the 2-D grid (times WG, plus its local index) copies that one element; those past n do nothing.

struct Params { n: u32, grid_x: u32 }

@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;
@group(0) @binding(2) var<uniform> P: Params;

// Invocations per workgroup: set by the caller when it makes the pipeline.
override WG: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * P.grid_x) * WG + lid;
  if (i < P.n) { dst[i] = src[i]; }
}
