/**
 * Mean ± std over runs, as the paper reports them: the sample standard deviation (n − 1, Python's
 * statistics.stdev, which their scripts print; 0 for a single run).
 */
import type { Accuracies } from './oracle.js';

export interface MeanStd {
  mean: number;
  std: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const std = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, std };
}

/** Per split and dataset, the mean ± std over runs of the returned architecture's accuracy. */
export function summarizeAccuracies(runs: readonly { val: Accuracies; test: Accuracies }[]): {
  val: Record<string, MeanStd>;
  test: Record<string, MeanStd>;
} {
  const column = (split: 'val' | 'test') =>
    Object.fromEntries(Object.keys(runs[0]?.[split] ?? {}).map((d) => [d, meanStd(runs.map((r) => r[split][d]!))]));
  return { val: column('val'), test: column('test') };
}

/**
 * Best-so-far curves: per number of trainings t, the mean ± std over runs of `value(incumbent after t trainings)`
 * (e.g. its test accuracy). Every run must have the same length.
 */
export function incumbentCurve(runs: readonly (readonly string[])[], value: (arch: string) => number): { mean: number[]; std: number[] } {
  const steps = runs[0]?.length ?? 0;
  if (runs.some((r) => r.length !== steps)) throw new RangeError('every run of a curve must have as many trainings');
  const mean: number[] = [],
    std: number[] = [];
  for (let t = 0; t < steps; t++) {
    const s = meanStd(runs.map((r) => value(r[t]!)));
    mean.push(s.mean);
    std.push(s.std);
  }
  return { mean, std };
}
