// Gradient of avg_pool: each input cell gathers dy / window size from the windows that cover it, n = planes·H·W.
//!include _common.wgsl
struct Params { n: u32, H: u32, W: u32, k: u32, stride: u32, pad: u32, Ho: u32, Wo: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let q = i / (p.H * p.W);
  let h = i32((i / p.W) % p.H);
  let w = i32(i % p.W);
  let s = i32(p.stride);
  let pd = i32(p.pad);
  let k = i32(p.k);
  // Windows covering h: oh·s − pad ≤ h < oh·s − pad + k.
  let ohLo = max((h + pd - k + s) / s, 0);
  let ohHi = min((h + pd) / s, i32(p.Ho) - 1);
  let owLo = max((w + pd - k + s) / s, 0);
  let owHi = min((w + pd) / s, i32(p.Wo) - 1);
  var acc = 0.0;
  for (var oh = ohLo; oh <= ohHi; oh++) {
    let h0 = oh * s - pd;
    for (var ow = owLo; ow <= owHi; ow++) {
      let w0 = ow * s - pd;
      let cells = (min(h0 + k, i32(p.H)) - max(h0, 0)) * (min(w0 + k, i32(p.W)) - max(w0, 0));
      acc += dy[(q * p.Ho + u32(oh)) * p.Wo + u32(ow)] / f32(cells);
    }
  }
  dx[i] = acc;
}
