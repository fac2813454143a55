// Depthwise convolution geometry in a uniform, shared by the three depthwise kernels: x [N,C,H,W], w [C,1,kh,kw],
// y [N,C,Ho,Wo]; n = the invocations the kernel runs (one per output value), perSample for the filter gradient.
struct Depthwise {
  n: u32, N: u32, C: u32, H: u32,
  W: u32, kh: u32, kw: u32, stride: u32,
  pad: u32, dil: u32, Ho: u32, Wo: u32,
  perSample: u32,
}
