// Per statistic group: the seven sums the tangent of the BN backward needs (see the reference backend's
// bnBackwardTangent): Σdy, Σdy·x̂, Σtx, Σx̂·tx, Σtdy, Σtdy·x̂, Σdy·tx. A missing tangent (hasTdy / hasTx = 0)
// is zero; its binding then holds another buffer that is never read. Slots 7 and 8 of a group's 9 keep its
// mean and invStd, so bn_tangent_dx stays within the default 8 storage buffers per stage.
//!include _batch_norm.wgsl
//!include _workgroup_sum.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> tdy: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> tx: array<f32>;
@group(0) @binding(5) var<storage, read> mean: array<f32>;
@group(0) @binding(6) var<storage, read> invStd: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wg.x;
  let count = groupSize(p);
  var v: array<f32, 8>;
  for (var j = t; j < count; j += 256u) {
    let e = groupElement(p, g, j);
    let xh = (x[e] - mean[g]) * invStd[g];
    let d = dy[e];
    let ta = select(0.0, tx[e], p.hasTx == 1u);
    let td = select(0.0, tdy[e], p.hasTdy == 1u);
    v[0] += d; v[1] += d * xh; v[2] += ta; v[3] += xh * ta; v[4] += td; v[5] += td * xh; v[6] += d * ta;
  }
  let s = workgroupSum(v, 7u, t);
  if (t < 7u) { sums[9u * g + t] = s[t]; }
  if (t == 0u) { sums[9u * g + 7u] = mean[g]; sums[9u * g + 8u] = invStd[g]; }
}
