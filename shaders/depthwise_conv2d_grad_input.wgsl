// Input gradient of the depthwise convolution as a gather (no atomics): one dx value per invocation, n = N·C·H·W;
// dx[q, h, w] = Σ w[c, i, j] · dy[q, oh, ow] over the taps with oh·s = h + p − i·d and ow·s = w + p − j·d.
//!include _common.wgsl
//!include _depthwise_geometry.wgsl
@group(0) @binding(0) var<uniform> p: Depthwise;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = flatIndex(gid, nwg);
  if (e >= p.n) { return; }
  let q = e / (p.H * p.W);
  let h = i32((e / p.W) % p.H);
  let v = i32(e % p.W);
  let c = q % p.C;
  let s = i32(p.stride);
  var acc = 0.0;
  for (var i = 0u; i < p.kh; i++) {
    let th = h + i32(p.pad) - i32(i * p.dil);
    if (th < 0 || th % s != 0 || th / s >= i32(p.Ho)) { continue; }
    for (var j = 0u; j < p.kw; j++) {
      let tw = v + i32(p.pad) - i32(j * p.dil);
      if (tw < 0 || tw % s != 0 || tw / s >= i32(p.Wo)) { continue; }
      acc += w[(c * p.kh + i) * p.kw + j] * dy[(q * p.Ho + u32(th / s)) * p.Wo + u32(tw / s)];
    }
  }
  dx[e] = acc;
}
