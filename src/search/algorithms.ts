/** The algorithms by their command-line name, with what each is called with and without a proxy. */
import { bohb } from './bohb.js';
import type { Algorithm } from './context.js';
import { assistedEvolution, regularizedEvolution } from './evolution.js';
import { randomSearch } from './random_search.js';
import { reinforce } from './reinforce.js';

interface AlgorithmRule {
  /** The plain algorithm's name (the paper's). */
  plain: string;
  /** The proxy-assisted variant's name (the paper's). */
  assisted: string;
  run: Algorithm;
  /** Runs only with a proxy (A-REA). */
  needsProxy?: boolean;
  /** Has a `corrected` variant beside the published one. */
  corrected?: string;
}

export const ALGORITHMS = {
  rs: { plain: 'RS', assisted: 'G-RS', run: randomSearch },
  rea: { plain: 'REA', assisted: 'G-REA', run: regularizedEvolution },
  reinforce: { plain: 'REINFORCE', assisted: 'G-REINFORCE', run: reinforce, corrected: 'policy updated with the trained architecture' },
  bohb: { plain: 'BOHB', assisted: 'G-HB', run: bohb, corrected: "the proxy picks among the model's proposals" },
  'a-rea': { plain: 'A-REA', assisted: 'A-REA', run: assistedEvolution, needsProxy: true },
} satisfies Record<string, AlgorithmRule>;

export type AlgorithmName = keyof typeof ALGORITHMS;
export const ALGORITHM_NAMES = Object.keys(ALGORITHMS) as AlgorithmName[];

export function isAlgorithmName(s: string): s is AlgorithmName {
  return Object.hasOwn(ALGORITHMS, s);
}

/**
 * A run's name as in Table 6: "REA", "G-REA" (GradSign), "G-REA (naswot)", "A-REA (naswot)", and ", corrected"
 * for the corrected variant.
 */
export function algorithmLabel(
  algorithm: AlgorithmName,
  proxy: string | undefined,
  variant: 'published' | 'corrected' = 'published',
): string {
  const rule: AlgorithmRule = ALGORITHMS[algorithm];
  if (proxy === undefined) return rule.plain;
  const named = proxy !== 'gradsign' || rule.needsProxy ? ` (${proxy})` : '';
  return `${rule.assisted}${named}${variant === 'corrected' ? ', corrected' : ''}`;
}
