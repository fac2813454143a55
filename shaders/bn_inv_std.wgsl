// invStd = 1/√(variance + eps) per statistic group (n = groups): BN's statistics never leave the GPU.
//!include _common.wgsl
struct Params { n: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> variance: array<f32>;
@group(0) @binding(2) var<storage, read_write> invStd: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  invStd[i] = 1.0 / sqrt(variance[i] + p.eps);
}
