// Convolution forward as implicit GEMM, one sample per grid z: y_n[Co, P] = w[Co, K] · col(x_n)[K, P],
// K = Ci·kh·kw, P = Ho·Wo. A 1×1 convolution is the same GEMM with a trivial column loader.
//!include _gemm_tile.wgsl
//!include _conv_geometry.wgsl
@group(0) @binding(0) var<uniform> p: Conv;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
fn loadA(n: u32, m: u32, k: u32) -> f32 { return w[m * p.Ci * p.kh * p.kw + k]; }
fn loadB(n: u32, k: u32, q: u32) -> f32 { return column(p, n, k, q); }
fn storeC(n: u32, m: u32, q: u32, v: f32) { y[(n * p.Co + m) * p.Ho * p.Wo + q] = v; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gemmTile(wg.z, p.Co, p.Ho * p.Wo, p.Ci * p.kh * p.kw, wg.xy, lid.xy);
}
