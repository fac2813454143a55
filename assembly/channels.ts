// Channel blocks of NCHW tensors: within a sample, a run of channels is one contiguous run of count·HW values.

/** dst[n, dstStart + c, :] = src[n, srcStart + c, :] for c in [0, count), samples [n0, n1). */
export function copy_channels(
  src: usize, srcC: i32, srcStart: i32, dst: usize, dstC: i32, dstStart: i32, count: i32, HW: i32, n0: i32, n1: i32,
): void {
  const run = <usize>(count * HW) << 2;
  for (let n = n0; n < n1; n++) {
    const from = src + ((<usize>(n * srcC + srcStart) * <usize>HW) << 2);
    const to = dst + ((<usize>(n * dstC + dstStart) * <usize>HW) << 2);
    memory.copy(to, from, run);
  }
}
