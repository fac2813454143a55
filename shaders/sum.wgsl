// y[0] = Σ a over n values, in one workgroup (the loss and other small reductions).
//!include _workgroup_sum.wgsl
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var v: array<f32, 8>;
  for (var i = t; i < p.n; i += 256u) { v[0] += a[i]; }
  let s = workgroupSum(v, 1u, t);
  if (t == 0u) { y[0] = s[0]; }
}
