// One class's sign Gram: G[m, n] += Σ_k S[rows[m], k] · S[rows[n], k] over a layer's sign matrix S [B, numel]
// (±1/0 in f32: a layer's sums are integers, exact below 2^24), accumulated layer after layer in int32 at
// outOffset, count × count (each entry belongs to one invocation, so += needs no atomics).
//!include _gemm_tile.wgsl
struct Params { numel: u32, rowOffset: u32, count: u32, outOffset: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> s: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> g: array<i32>;
fn loadA(batch: u32, m: u32, k: u32) -> f32 { return s[rows[p.rowOffset + m] * p.numel + k]; }
fn loadB(batch: u32, k: u32, n: u32) -> f32 { return s[rows[p.rowOffset + n] * p.numel + k]; }
fn storeC(batch: u32, m: u32, n: u32, v: f32) { g[p.outOffset + m * p.count + n] += i32(round(v)); }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gemmTile(wg.z, p.count, p.count, p.numel, wg.xy, lid.xy);
}
