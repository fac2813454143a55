// Gradient of crop_spatial: dy placed at (top, left) of zero planes, one dx value per invocation, n = planes·H·W.
//!include _common.wgsl
struct Params { n: u32, H: u32, W: u32, top: u32, left: u32, Ho: u32, Wo: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let q = i / (p.H * p.W);
  let h = (i / p.W) % p.H;
  let w = i % p.W;
  var v = 0.0;
  if (h >= p.top && w >= p.left) { v = dy[(q * p.Ho + h - p.top) * p.Wo + w - p.left]; }
  dx[i] = v;
}
