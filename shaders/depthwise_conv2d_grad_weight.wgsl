// Filter gradient of the depthwise convolution: one workgroup per output block, n = blocks (perSample = 1: one
// block per plane (sample, channel), [N, C, kh·kw]; perSample = 0: one per channel, summed over the batch,
// [C, kh·kw]). Each invocation sums its share of the block's output cells for eight taps at a time, then the
// workgroup adds the shares up. Workgroups are numbered x + y·65535 past the one-dimensional dispatch limit.
//!include _depthwise_geometry.wgsl
//!include _workgroup_sum.wgsl
@group(0) @binding(0) var<uniform> p: Depthwise;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wg.x + wg.y * nwg.x;
  if (b >= p.n) { return; }
  let taps = p.kh * p.kw;
  let plane = p.Ho * p.Wo;
  // The block's planes: q = b alone, or q = n·C + b for every sample n.
  let c = select(b, b % p.C, p.perSample == 1u);
  let first = select(0u, b / p.C, p.perSample == 1u);
  let count = select(p.N, 1u, p.perSample == 1u) * plane;
  for (var t0 = 0u; t0 < taps; t0 += 8u) {
    let lanes = min(8u, taps - t0);
    var v = array<f32, 8>(); // explicitly zeroed each round (a bare declaration in the loop kept the last round’s sums on Dawn + lavapipe)
    for (var r = t; r < count; r += 256u) {
      let q = (first + r / plane) * p.C + c;
      let oh = (r % plane) / p.Wo;
      let ow = r % p.Wo;
      let g = dy[q * plane + r % plane];
      for (var l = 0u; l < lanes; l++) {
        let i = (t0 + l) / p.kw;
        let j = (t0 + l) % p.kw;
        let h = i32(oh * p.stride + i * p.dil) - i32(p.pad);
        let u = i32(ow * p.stride + j * p.dil) - i32(p.pad);
        if (h >= 0 && h < i32(p.H) && u >= 0 && u < i32(p.W)) { v[l] += g * x[(q * p.H + u32(h)) * p.W + u32(u)]; }
      }
    }
    let total = workgroupSum(v, lanes, t);
    if (t < lanes) { dw[b * taps + t0 + t] = total[t]; }
  }
}
