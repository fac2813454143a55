// dlogits = (probs − onehot(label)) · weight, n = rows·K.
//!include _common.wgsl
struct Params { n: u32, K: u32, weight: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> probs: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let hot = select(0.0, 1.0, i32(i % p.K) == labels[i / p.K]);
  dlogits[i] = (probs[i] - hot) * p.weight;
}
