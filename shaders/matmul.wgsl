// C[M,N] = op(A)[M,K] · op(B)[K,N], op = transpose where transA / transB is 1.
//!include _gemm_tile.wgsl
struct Params { M: u32, N: u32, K: u32, transA: u32, transB: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
fn loadA(batch: u32, m: u32, k: u32) -> f32 { return select(a[m * p.K + k], a[k * p.M + m], p.transA == 1u); }
fn loadB(batch: u32, k: u32, n: u32) -> f32 { return select(b[k * p.N + n], b[n * p.K + k], p.transB == 1u); }
fn storeC(batch: u32, m: u32, n: u32, v: f32) { c[m * p.N + n] = v; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gemmTile(wg.z, p.M, p.N, p.K, wg.xy, lid.xy);
}
