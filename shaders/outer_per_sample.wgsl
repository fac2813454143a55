// y[s, o, j] = dy[s, o] · x[s, j]: per-sample linear weight gradients, n = S·O·I.
//!include _common.wgsl
struct Params { n: u32, O: u32, I: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let s = i / (p.O * p.I);
  let o = (i / p.I) % p.O;
  y[i] = dy[s * p.O + o] * x[s * p.I + i % p.I];
}
