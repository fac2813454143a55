/** What the benchmarks share: `--name value` arguments and the NB201 convolution shapes. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** NB201's convolutions: 16/32/64 channels at 32/16/8 pixels, 3×3 and 1×1. */
export const CONV_SHAPES = [
  { C: 16, HW: 32, k: 3 },
  { C: 16, HW: 32, k: 1 },
  { C: 32, HW: 16, k: 3 },
  { C: 32, HW: 16, k: 1 },
  { C: 64, HW: 8, k: 3 },
  { C: 64, HW: 8, k: 1 },
];

/**
 * The depthwise convolutions of DARTS's cells at NB301's width (C = 32, cells at 32, 64, 128 channels): sep_conv
 * (dilation 1) and dil_conv (dilation 2), 3×3 and 5×5, "same" padding; stride 2 where a reduction cell's ops read
 * the previous resolution.
 */
export const DEPTHWISE_SHAPES = [
  { C: 32, HW: 32, k: 3, stride: 1, dilation: 1 },
  { C: 32, HW: 32, k: 5, stride: 1, dilation: 1 },
  { C: 32, HW: 32, k: 3, stride: 1, dilation: 2 },
  { C: 32, HW: 32, k: 5, stride: 1, dilation: 2 },
  { C: 64, HW: 16, k: 3, stride: 1, dilation: 1 },
  { C: 64, HW: 16, k: 5, stride: 1, dilation: 2 },
  { C: 128, HW: 8, k: 3, stride: 1, dilation: 1 },
  { C: 128, HW: 8, k: 5, stride: 1, dilation: 2 },
  { C: 64, HW: 32, k: 3, stride: 2, dilation: 1 },
  { C: 64, HW: 32, k: 5, stride: 2, dilation: 2 },
];
