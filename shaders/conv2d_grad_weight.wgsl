// Convolution weight gradient as implicit GEMM: dw[Co, K] = Σ_r dy[co, r] · col(x)[k, r], K = Ci·kh·kw.
// perSample = 1: one sample per grid z, r over its P = Ho·Wo output cells, dw_n kept ([N, Co, K]);
// perSample = 0: r over all N·P cells of the batch, one summed dw.
//!include _gemm_tile.wgsl
//!include _conv_geometry.wgsl
@group(0) @binding(0) var<uniform> p: Conv;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
fn sampleOf(b: u32, r: u32) -> u32 { return select(r / (p.Ho * p.Wo), b, p.perSample == 1u); }
fn cellOf(r: u32) -> u32 { return select(r % (p.Ho * p.Wo), r, p.perSample == 1u); }
fn loadA(b: u32, co: u32, r: u32) -> f32 { return dy[(sampleOf(b, r) * p.Co + co) * p.Ho * p.Wo + cellOf(r)]; }
fn loadB(b: u32, r: u32, k: u32) -> f32 { return column(p, sampleOf(b, r), k, cellOf(r)); }
fn storeC(b: u32, co: u32, k: u32, v: f32) { dw[(b * p.Co + co) * p.Ci * p.kh * p.kw + k] = v; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gemmTile(wg.z, p.Co, p.Ci * p.kh * p.kw, select(p.N, 1u, p.perSample == 1u) * p.Ho * p.Wo, wg.xy, lid.xy);
}
