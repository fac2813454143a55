// dx[q, h, w] = dy[q] / (H·W) for every plane q, n = planes·H·W.
//!include _common.wgsl
struct Params { n: u32, HW: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  dx[i] = dy[i / p.HW] / f32(p.HW);
}
