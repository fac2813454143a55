/**
 * Zero-cost proxy scores as a search sees them: a table from architecture to score (higher is better), e.g. one
 * column of a `zerocost eval` results file. A G- algorithm trains the proxy's pick among candidates; the score
 * of a candidate is free.
 */
import type { ResultLine } from '../eval/result_line.js';

export interface ProxyScores {
  /** The proxy's name (a score key of the results file), for reports. */
  readonly name: string;
  /** The score of `arch` (NaN when the proxy has none for it, e.g. a singular Gram); throws for an unknown arch. */
  score(arch: string): number;
}

/** A table of scores by canonical arch text. */
export function proxyTable(name: string, scores: ReadonlyMap<string, number>): ProxyScores {
  return {
    name,
    score(arch) {
      const s = scores.get(arch);
      if (s === undefined) throw new RangeError(`the ${name} score table has no score for ${arch}`);
      return s;
    },
  };
}

/**
 * The `key` column of results lines (one line per architecture: give the lines of one dataset and seed). A null
 * score (not defined for that architecture) reads as NaN, which never wins a pick.
 */
export function proxyFromResults(lines: readonly ResultLine[], key: string): ProxyScores {
  const scores = new Map<string, number>();
  for (const l of lines) {
    if (scores.has(l.arch)) throw new RangeError(`the results hold ${l.arch} twice: give the lines of one dataset and seed`);
    scores.set(l.arch, l.scores[key] ?? NaN);
  }
  return proxyTable(key, scores);
}

/** The index of the candidate the proxy scores highest; NaN never wins, ties go to the first; all NaN: the first. */
export function proxyPick(proxy: ProxyScores, candidates: readonly string[]): number {
  let best = -1,
    bestScore = NaN;
  candidates.forEach((arch, i) => {
    const s = proxy.score(arch);
    if (!Number.isNaN(s) && (best < 0 || s > bestScore)) {
      best = i;
      bestScore = s;
    }
  });
  return Math.max(best, 0);
}
