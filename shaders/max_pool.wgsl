// Max pooling: each output cell takes `values` at its window's argmax in x (values = x: the max pool; a
// tangent of x: its JVP), one output cell per invocation, n = planes·Ho·Wo.
//!include _common.wgsl
//!include _max_pool_window.wgsl
@group(0) @binding(0) var<uniform> p: Pool;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  y[i] = values[argmax(p, i / (p.Ho * p.Wo), (i / p.Wo) % p.Ho, i % p.Wo)];
}
