// dst[s, dstStart + c, :] = src[s, srcStart + c, :] for c < count: one value per invocation, n = N·count·HW.
// concat_channels runs it once per input into its block of the output; slice_channels once.
//!include _common.wgsl
struct Params { n: u32, HW: u32, count: u32, srcC: u32, srcStart: u32, dstC: u32, dstStart: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let run = p.count * p.HW;
  let s = i / run;
  let r = i % run;
  dst[(s * p.dstC + p.dstStart) * p.HW + r] = src[(s * p.srcC + p.srcStart) * p.HW + r];
}
