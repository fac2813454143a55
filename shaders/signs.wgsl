// store[offset + i] = sign(g[i]) as ±1 / 0 in f32 (exact in the Gram products), n = g's size; flag[0] = 1
// when a gradient is NaN or ±Inf (every writer stores the same 1, so their race is harmless).
//!include _common.wgsl
struct Params { n: u32, offset: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> store: array<f32>;
@group(0) @binding(3) var<storage, read_write> flag: array<i32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let v = g[i];
  store[p.offset + i] = f32(signOf(v));
  if (nonFinite(v)) { flag[0] = 1; }
}
