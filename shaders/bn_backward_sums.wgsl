// Per statistic group (one workgroup each): sums[2g] = Σ dy, sums[2g+1] = Σ dy·x̂ with x̂ = (x − μ)·invStd.
//!include _batch_norm.wgsl
//!include _workgroup_sum.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> invStd: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wg.x;
  let count = groupSize(p);
  var v: array<f32, 8>;
  for (var j = t; j < count; j += 256u) {
    let e = groupElement(p, g, j);
    v[0] += dy[e];
    v[1] += dy[e] * (x[e] - mean[g]) * invStd[g];
  }
  let s = workgroupSum(v, 2u, t);
  if (t == 0u) { sums[2u * g] = s[0]; sums[2u * g + 1u] = s[1]; }
}
