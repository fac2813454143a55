// Per statistic group (one workgroup each): mean, then the biased variance around it (two passes).
//!include _batch_norm.wgsl
//!include _workgroup_sum.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> variance: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wg.x;
  let count = groupSize(p);
  var v: array<f32, 8>;
  for (var j = t; j < count; j += 256u) { v[0] += x[groupElement(p, g, j)]; }
  let m = workgroupSum(v, 1u, t)[0] / f32(count);
  var d: array<f32, 8>;
  for (var j = t; j < count; j += 256u) { let e = x[groupElement(p, g, j)] - m; d[0] += e * e; }
  let s = workgroupSum(d, 1u, t)[0];
  if (t == 0u) { mean[g] = m; variance[g] = s / f32(count); }
}
