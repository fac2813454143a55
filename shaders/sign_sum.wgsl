// GradSign's reduction: sums[k] += Σ_b sign(g[b, k]) for k < n = weights per sample (exact integers).
// sums[flag] = 1 when a gradient is NaN or ±Inf (every writer stores the same 1, so their race is harmless).
//!include _common.wgsl
struct Params { n: u32, B: u32, offset: u32, flag: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<i32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  var s = 0;
  var bad = false;
  for (var b = 0u; b < p.B; b++) {
    let v = g[b * p.n + i];
    s += signOf(v);
    bad = bad || nonFinite(v);
  }
  sums[p.offset + i] += s;
  if (bad) { sums[p.flag] = 1; }
}
