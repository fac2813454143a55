// y[j] = Σ_m a[m, j], n = columns.
//!include _common.wgsl
struct Params { n: u32, rows: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  var s = 0.0;
  for (var m = 0u; m < p.rows; m++) { s += a[m * p.n + i]; }
  y[i] = s;
}
