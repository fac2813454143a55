/** Channel blocks of NCHW arrays: within a sample, a run of channels is one contiguous run of values. */
import type { HostArray } from '../tensor.js';
import type { ChannelCopy } from '../shapes.js';

/** dst[n, dstStart + c, :] = src[n, srcStart + c, :] for c in [0, count), every sample n. */
export function copyChannels(c: ChannelCopy, src: HostArray, dst: HostArray): void {
  const run = c.count * c.HW;
  for (let n = 0; n < c.N; n++) {
    const from = (n * c.srcC + c.srcStart) * c.HW;
    dst.set(src.subarray(from, from + run), (n * c.dstC + c.dstStart) * c.HW);
  }
}
