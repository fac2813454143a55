// The tangent of bn_backward_dx's dx (γ fixed), one value per invocation, from bn_tangent_sums
// (9 floats per group, the last two μ and invStd). With fixed statistics (fromInput = 0) it is γ·invStd·tdy.
//!include _common.wgsl
//!include _batch_norm.wgsl
@group(0) @binding(0) var<uniform> p: Bn;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> tdy: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> tx: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sums: array<f32>;
@group(0) @binding(7) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let g = groupOf(p, i);
  let o = 9u * g;
  let m = sums[o + 7u];
  let k = sums[o + 8u];
  let gm = gamma[channelOf(p, i)];
  let td = select(0.0, tdy[i], p.hasTdy == 1u);
  if (p.fromInput == 0u) { out[i] = gm * k * td; return; }
  let count = f32(groupSize(p));
  let mdy = sums[o] / count;
  let mdyx = sums[o + 1u] / count;
  let mtx = sums[o + 2u] / count;
  let mxtx = sums[o + 3u] / count;
  let mtdy = sums[o + 4u] / count;
  let mtdyx = sums[o + 5u] / count;
  let mdytx = sums[o + 6u] / count;
  let ts = -k * k * mxtx;
  let mdyTxh = k * (mdytx - mdy * mtx - mdyx * mxtx);
  let xh = (x[i] - m) * k;
  let t = select(0.0, tx[i], p.hasTx == 1u);
  let txh = k * (t - mtx - xh * mxtx);
  let h = dy[i] - mdy - xh * mdyx;
  let th = td - mtdy - txh * mdyx - xh * (mtdyx + mdyTxh);
  out[i] = gm * (ts * h + k * th);
}
