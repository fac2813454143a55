// Batch-norm statistic groups: one channel over (N,H,W), or one (sample, channel) over (H,W) when
// `sample` is 1. The reductions run one workgroup per group; the element-wise passes one invocation per value.
struct Bn {
  N: u32, C: u32, HW: u32, sample: u32,
  fromInput: u32, hasTdy: u32, hasTx: u32, n: u32,
}

fn groupSize(b: Bn) -> u32 {
  return select(b.N * b.HW, b.HW, b.sample == 1u);
}

// Index of the j-th value of group g.
fn groupElement(b: Bn, g: u32, j: u32) -> u32 {
  if (b.sample == 1u) { return g * b.HW + j; }
  return ((j / b.HW) * b.C + g) * b.HW + j % b.HW;
}

fn groupOf(b: Bn, i: u32) -> u32 {
  return select((i / b.HW) % b.C, i / b.HW, b.sample == 1u);
}

fn channelOf(b: Bn, i: u32) -> u32 {
  return (i / b.HW) % b.C;
}
