// Per row (n = rows): probabilities and loss log Σ exp(z − max) + max − z_label.
//!include _common.wgsl
struct Params { n: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let r = i * p.K;
  var mx = logits[r];
  for (var k = 1u; k < p.K; k++) { mx = max(mx, logits[r + k]); }
  var z = 0.0;
  for (var k = 0u; k < p.K; k++) { z += exp(logits[r + k] - mx); }
  for (var k = 0u; k < p.K; k++) { probs[r + k] = exp(logits[r + k] - mx) / z; }
  losses[i] = log(z) + mx - logits[r + u32(labels[i])];
}
