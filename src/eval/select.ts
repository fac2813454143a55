/**
 * Architecture selection as in the GradSign paper's Table 5: in each run draw N architectures uniformly (with
 * replacement, as np.random.randint does), pick the one with the highest score (NaN never wins), and record
 * its accuracies; report mean ± std over the runs beside Random (a uniform pick) and Optimal (the best of the
 * N by each accuracy column itself).
 */
import { Random } from '../util/random.js';

export interface SelectionStats {
  mean: number[];
  std: number[];
}

/**
 * scores[i]: the score of candidate i (NaN allowed); accuracies[c][i]: accuracy column c of candidate i.
 * Returns, per method ('score', 'random', 'optimal'), the mean and std of each column over the runs.
 */
export function selectArchitectures(
  scores: readonly number[],
  accuracies: readonly (readonly number[])[],
  n: number,
  runs: number,
  seed: number,
): Record<'score' | 'random' | 'optimal', SelectionStats> {
  const m = scores.length;
  if (m === 0) throw new Error('select: no scored architectures');
  if (n < 1) throw new Error(`select: N must be at least 1, got ${n}`);
  const rng = new Random(seed);
  const picks = {
    score: accuracies.map(() => [] as number[]),
    random: accuracies.map(() => [] as number[]),
    optimal: accuracies.map(() => [] as number[]),
  };
  for (let r = 0; r < runs; r++) {
    const drawn = Array.from({ length: n }, () => rng.int(m));
    let best = -1;
    for (const i of drawn) if (!Number.isNaN(scores[i]!) && (best < 0 || scores[i]! > scores[best]!)) best = i;
    if (best < 0) best = drawn[0]!; // every score NaN: nothing to prefer
    accuracies.forEach((col, c) => {
      picks.score[c]!.push(col[best]!);
      picks.random[c]!.push(col[drawn[0]!]!);
      picks.optimal[c]!.push(Math.max(...drawn.map((i) => col[i]!)));
    });
  }
  const stats = (cols: number[][]): SelectionStats => {
    const mean = cols.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const std = cols.map((v, c) => Math.sqrt(v.reduce((a, b) => a + (b - mean[c]!) ** 2, 0) / v.length));
    return { mean, std };
  };
  return { score: stats(picks.score), random: stats(picks.random), optimal: stats(picks.optimal) };
}
