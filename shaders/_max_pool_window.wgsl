// Max-pool geometry in a uniform, and a window's argmax in x, shared by max_pool and max_pool_grad.
struct Pool { n: u32, H: u32, W: u32, k: u32, stride: u32, pad: u32, Ho: u32, Wo: u32 }

// By the bits: WGSL lets compilers assume floats are finite, so v != v can't tell.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// The index in x of the argmax of output cell (oh, ow) of plane q: PyTorch's `v > max || isnan(v)` in
// row-major order from the window's first real cell (first maximum wins; a NaN wins, the last one).
fn argmax(c: Pool, q: u32, oh: u32, ow: u32) -> u32 {
  let h0 = max(i32(oh * c.stride) - i32(c.pad), 0);
  let h1 = min(i32(oh * c.stride + c.k) - i32(c.pad), i32(c.H));
  let w0 = max(i32(ow * c.stride) - i32(c.pad), 0);
  let w1 = min(i32(ow * c.stride + c.k) - i32(c.pad), i32(c.W));
  let base = q * c.H * c.W;
  var at = base + u32(h0) * c.W + u32(w0);
  var m = x[at];
  for (var h = h0; h < h1; h++) {
    for (var w = w0; w < w1; w++) {
      let i = base + u32(h) * c.W + u32(w);
      let v = x[i];
      if (isNan(v) || (!isNan(m) && v > m)) {
        m = v;
        at = i;
      }
    }
  }
  return at;
}
