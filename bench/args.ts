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
