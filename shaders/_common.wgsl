// Shared by the element-wise kernels: 256 invocations per workgroup, and a 2-d grid when one dimension
// would pass the 65,535-workgroup limit (the client dispatches x = min(groups, 65535), y = the rest).
const WG = 256u;

fn flatIndex(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn signOf(v: f32) -> i32 {
  return select(select(0, -1, v < 0.0), 1, v > 0.0);
}

// NaN or ±Inf, by the exponent bits: WGSL lets compilers assume floats are finite, so comparisons can't tell.
fn nonFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}
