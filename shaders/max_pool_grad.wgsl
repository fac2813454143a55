// Gradient of max_pool: each input cell gathers dy from the windows that cover it and chose it as their
// argmax, in row-major output order (the order the reference adds them in), n = planes·H·W.
//!include _common.wgsl
//!include _max_pool_window.wgsl
@group(0) @binding(0) var<uniform> p: Pool;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
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
    for (var ow = owLo; ow <= owHi; ow++) {
      if (argmax(p, q, u32(oh), u32(ow)) == i) { acc += dy[(q * p.Ho + u32(oh)) * p.Wo + u32(ow)]; }
    }
  }
  dx[i] = acc;
}
