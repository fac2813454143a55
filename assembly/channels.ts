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

// Spatial crops: y = x[:, :, top:, left:] over planes [q0, q1), Ho = H − top rows of Wo = W − left values each.

export function crop_spatial(x: usize, y: usize, H: i32, W: i32, top: i32, left: i32, q0: i32, q1: i32): void {
  const Ho = H - top, Wo = W - left, run = <usize>Wo << 2;
  for (let q = q0; q < q1; q++) {
    for (let r = 0; r < Ho; r++) {
      memory.copy(y + (<usize>((q * Ho + r) * Wo) << 2), x + (<usize>((q * H + r + top) * W + left) << 2), run);
    }
  }
}

/** dx = dy placed at (top, left) of zero planes: every value of dx is written. */
export function crop_spatial_grad(dy: usize, dx: usize, H: i32, W: i32, top: i32, left: i32, q0: i32, q1: i32): void {
  const Ho = H - top, Wo = W - left, run = <usize>Wo << 2;
  for (let q = q0; q < q1; q++) {
    const plane = dx + (<usize>(q * H * W) << 2);
    memory.fill(plane, 0, <usize>(top * W) << 2);
    for (let r = 0; r < Ho; r++) {
      const row = plane + (<usize>((r + top) * W) << 2);
      memory.fill(row, 0, <usize>left << 2);
      memory.copy(row + (<usize>left << 2), dy + (<usize>((q * Ho + r) * Wo) << 2), run);
    }
  }
}
