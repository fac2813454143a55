// Average pooling, count_include_pad = false: one output cell per invocation, n = planes·Ho·Wo.
//!include _common.wgsl
struct Params { n: u32, H: u32, W: u32, k: u32, stride: u32, pad: u32, Ho: u32, Wo: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let q = i / (p.Ho * p.Wo);
  let oh = (i / p.Wo) % p.Ho;
  let ow = i % p.Wo;
  let h0 = max(i32(oh * p.stride) - i32(p.pad), 0);
  let h1 = min(i32(oh * p.stride + p.k) - i32(p.pad), i32(p.H));
  let w0 = max(i32(ow * p.stride) - i32(p.pad), 0);
  let w1 = min(i32(ow * p.stride + p.k) - i32(p.pad), i32(p.W));
  var s = 0.0;
  for (var h = h0; h < h1; h++) {
    for (var w = w0; w < w1; w++) { s += x[(q * p.H + u32(h)) * p.W + u32(w)]; }
  }
  y[i] = s / f32((h1 - h0) * (w1 - w0));
}
