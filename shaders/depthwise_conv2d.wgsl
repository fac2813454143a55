// Depthwise convolution (groups = channels): one output cell per invocation, n = N·C·Ho·Wo; y[q, oh, ow] =
// Σ_{i,j} w[c, i, j] · x[q, oh·s − p + i·d, ow·s − p + j·d] over the taps inside the plane (q = n·C + c).
//!include _common.wgsl
//!include _depthwise_geometry.wgsl
@group(0) @binding(0) var<uniform> p: Depthwise;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = flatIndex(gid, nwg);
  if (o >= p.n) { return; }
  let q = o / (p.Ho * p.Wo);
  let oh = (o / p.Wo) % p.Ho;
  let ow = o % p.Wo;
  let c = q % p.C;
  var s = 0.0;
  for (var i = 0u; i < p.kh; i++) {
    let h = i32(oh * p.stride + i * p.dil) - i32(p.pad);
    if (h < 0 || h >= i32(p.H)) { continue; }
    for (var j = 0u; j < p.kw; j++) {
      let v = i32(ow * p.stride + j * p.dil) - i32(p.pad);
      if (v < 0 || v >= i32(p.W)) { continue; }
      s += x[(q * p.H + u32(h)) * p.W + u32(v)] * w[(c * p.kh + i) * p.kw + j];
    }
  }
  y[o] = s;
}
