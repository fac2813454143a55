// dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)) with the group's own statistics, or γ·invStd·dy with
// fixed ones (fromInput = 0). n = x's size; sums from bn_backward_sums.
//!include _common.wgsl
//!include _batch_norm.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> invStd: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sums: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let g = groupOf(p, i);
  let k = invStd[g];
  let scale = gamma[channelOf(p, i)] * k;
  if (p.fromInput == 0u) { dx[i] = dy[i] * scale; return; }
  let count = f32(groupSize(p));
  let mdy = sums[2u * g] / count;
  let mdyx = sums[2u * g + 1u] / count;
  dx[i] = scale * (dy[i] - mdy - (x[i] - mean[g]) * k * mdyx);
}
