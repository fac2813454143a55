// y = x[:, :, top:, left:]: one output value per invocation, n = planes·Ho·Wo.
//!include _common.wgsl
struct Params { n: u32, H: u32, W: u32, top: u32, left: u32, Ho: u32, Wo: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let q = i / (p.Ho * p.Wo);
  let r = (i / p.Wo) % p.Ho;
  let c = i % p.Wo;
  y[i] = x[(q * p.H + r + p.top) * p.W + c + p.left];
}
