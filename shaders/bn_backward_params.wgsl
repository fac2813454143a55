// dγ_c = Σ dy·x̂ and dβ_c = Σ dy over the groups of channel c (n = C), from bn_backward_sums.
//!include _common.wgsl
//!include _batch_norm.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> sums: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = flatIndex(gid, nwg);
  if (c >= p.C) { return; }
  var dg = 0.0;
  var db = 0.0;
  let groups = select(1u, p.N, p.sample == 1u);
  for (var s = 0u; s < groups; s++) {
    let g = s * p.C + c;
    db += sums[2u * g];
    dg += sums[2u * g + 1u];
  }
  dgamma[c] = dg;
  dbeta[c] = db;
}
