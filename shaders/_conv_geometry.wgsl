// Convolution geometry in a uniform, shared by the three implicit-GEMM convolution kernels.
struct Conv {
  N: u32, Ci: u32, H: u32, W: u32,
  Co: u32, kh: u32, kw: u32, stride: u32,
  pad: u32, Ho: u32, Wo: u32, perSample: u32,
}

// col(x_n)[k, q]: the input value convolution tap k = (ci, i, j) reads for output cell q, 0 in the padding.
fn column(c: Conv, n: u32, k: u32, q: u32) -> f32 {
  let taps = c.kh * c.kw;
  let ci = k / taps;
  let r = k % taps;
  let h = i32((q / c.Wo) * c.stride + r / c.kw) - i32(c.pad);
  let w = i32((q % c.Wo) * c.stride + r % c.kw) - i32(c.pad);
  if (h < 0 || w < 0 || h >= i32(c.H) || w >= i32(c.W)) { return 0.0; }
  return x[((n * c.Ci + ci) * c.H + u32(h)) * c.W + u32(w)];
}
