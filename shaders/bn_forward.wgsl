// y = (x − μ_g)·invStd_g·γ_c + β_c, one value per invocation (n = x's size).
//!include _common.wgsl
//!include _batch_norm.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> invStd: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let g = groupOf(p, i);
  let c = channelOf(p, i);
  y[i] = (x[i] - mean[g]) * invStd[g] * gamma[c] + beta[c];
}
