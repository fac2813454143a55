/**
 * How stable a score is: the Spearman ρ of its values between two runs over the architectures both scored — two
 * seeds of one run (another init and another batch), or two batch sizes at one seed. A proxy whose ranking moves
 * with the seed more than it follows accuracy says little about an architecture.
 */
import { spearman } from './correlation.js';
import type { EvalLine } from './report.js';

export interface Agreement {
  /** Spearman ρ between the two runs' values of the score. */
  rho: number;
  /** Architectures in both runs with finite values in both. */
  archs: number;
}

/** ρ of `key` between two sets of lines of one dataset, matched by architecture index. */
export function agreement(a: readonly EvalLine[], b: readonly EvalLine[], key: string): Agreement {
  const byIndex = new Map(b.map((l) => [l.index, l.scores[key]]));
  const x: number[] = [],
    y: number[] = [];
  for (const l of a) {
    const w = byIndex.get(l.index);
    if (w === undefined) continue;
    x.push(l.scores[key] ?? NaN);
    y.push(w ?? NaN);
  }
  const r = spearman(x, y);
  return { rho: r.value, archs: r.n };
}

export interface StabilityRow {
  key: string;
  /** What was compared, e.g. "seeds 1–2", "batch 32–64". */
  pairs: { label: string; rho: number; archs: number }[];
  mean: number;
  min: number;
}

function row(key: string, pairs: StabilityRow['pairs']): StabilityRow {
  const rhos = pairs.map((p) => p.rho).filter((r) => !Number.isNaN(r));
  return {
    key,
    pairs,
    mean: rhos.length ? rhos.reduce((s, r) => s + r, 0) / rhos.length : NaN,
    min: rhos.length ? Math.min(...rhos) : NaN,
  };
}

/** For each key: ρ between every two seeds present in `lines` (one dataset), with their mean and minimum. */
export function seedStability(lines: readonly EvalLine[], keys: readonly string[]): StabilityRow[] {
  const seeds = [...new Set(lines.map((l) => l.seed))].sort((s, t) => s - t);
  const bySeed = new Map(seeds.map((s) => [s, lines.filter((l) => l.seed === s)]));
  return keys.map((key) => {
    const pairs: StabilityRow['pairs'] = [];
    for (let i = 0; i < seeds.length; i++)
      for (let j = i + 1; j < seeds.length; j++) {
        const g = agreement(bySeed.get(seeds[i]!)!, bySeed.get(seeds[j]!)!, key);
        pairs.push({ label: `seeds ${seeds[i]}–${seeds[j]}`, ...g });
      }
    return row(key, pairs);
  });
}

/** For each key: ρ between every two labelled runs (e.g. batch sizes, at one seed), with their mean and minimum. */
export function runStability(runs: readonly { label: string; lines: readonly EvalLine[] }[], keys: readonly string[]): StabilityRow[] {
  return keys.map((key) => {
    const pairs: StabilityRow['pairs'] = [];
    for (let i = 0; i < runs.length; i++)
      for (let j = i + 1; j < runs.length; j++) {
        if (!runs[i]!.lines.some((l) => key in l.scores) || !runs[j]!.lines.some((l) => key in l.scores)) continue;
        pairs.push({ label: `${runs[i]!.label}–${runs[j]!.label}`, ...agreement(runs[i]!.lines, runs[j]!.lines, key) });
      }
    return row(key, pairs);
  });
}
