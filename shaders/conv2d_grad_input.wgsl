// Convolution input gradient as implicit GEMM, one sample per grid z: dx_n[Ci, H·W] = Σ over taps
// k = (co, i, j) of w[co, ci, i, j] · dy_n[co, (h + pad − i)/stride, (w + pad − j)/stride] where that divides
// exactly and lands inside dy. A gather, so no atomics. (The column loader reads x: bound to dy, unused.)
//!include _gemm_tile.wgsl
//!include _conv_geometry.wgsl
@group(0) @binding(0) var<uniform> p: Conv;
@group(0) @binding(1) var<storage, read> x: array<f32>; // dy
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
fn loadA(n: u32, ci: u32, k: u32) -> f32 {
  let taps = p.kh * p.kw;
  return w[((k / taps) * p.Ci + ci) * taps + k % taps];
}
fn loadB(n: u32, k: u32, q: u32) -> f32 {
  let taps = p.kh * p.kw;
  let co = k / taps;
  let r = k % taps;
  let th = i32(q / p.W + p.pad) - i32(r / p.kw);
  let tw = i32(q % p.W + p.pad) - i32(r % p.kw);
  if (th < 0 || tw < 0) { return 0.0; }
  let s = i32(p.stride);
  if (th % s != 0 || tw % s != 0) { return 0.0; }
  let oh = u32(th / s);
  let ow = u32(tw / s);
  if (oh >= p.Ho || ow >= p.Wo) { return 0.0; }
  return x[((n * p.Co + co) * p.Ho + oh) * p.Wo + ow];
}
fn storeC(n: u32, ci: u32, q: u32, v: f32) { dx[(n * p.Ci + ci) * p.H * p.W + q] = v; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gemmTile(wg.z, p.Ci, p.H * p.W, p.Co * p.kh * p.kw, wg.xy, lid.xy);
}
