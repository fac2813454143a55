/**
 * `search`: one seeded run of an algorithm against an oracle, with or without a proxy; `searchRuns`: many runs,
 * each seeded by the next draw of a generator seeded by `seed`, so that the whole set is a function of one seed.
 */
import { Random, isSeed } from '../util/random.js';
import { ALGORITHMS, isAlgorithmName, type AlgorithmName } from './algorithms.js';
import { DEFAULT_SETTINGS, SearchContext, type SearchSettings, type Variant } from './context.js';
import { BudgetSpent, Ledger, type Training } from './ledger.js';
import type { Oracle } from './oracle.js';
import type { ProxyScores } from './proxy.js';
import { NB201_SEARCH_SPACE } from './nb201_space.js';
import type { CategoricalSpace } from './space.js';

/** The spaces that can be named. */
const NAMED_SPACES: Record<string, CategoricalSpace> = { nb201: NB201_SEARCH_SPACE };

export interface SearchOptions {
  /** A space, or the name of one: 'nb201'. */
  space: CategoricalSpace | 'nb201';
  algorithm: AlgorithmName;
  oracle: Oracle;
  /** The assisting proxy (the G- variant, and A-REA's); none: the plain algorithm. */
  proxy?: ProxyScores;
  /** Trained architectures: every call of oracle.train counts one, exactly. */
  budget: number;
  seed: number;
  /** Candidates the proxy ranks per training (default 10, the paper's). */
  pool?: number;
  /** REINFORCE and BOHB with a proxy: the authors' code as published (default) or corrected. */
  variant?: Variant;
  settings?: Partial<SearchSettings>;
}

export interface SearchResult {
  /** The incumbent at the end: the architecture the search returns. */
  best: Training;
  /** Every training, in order. */
  history: Training[];
  /** incumbents[t]: the architecture the search would return after t + 1 trainings (best-so-far curves). */
  incumbents: string[];
}

export async function search(o: SearchOptions): Promise<SearchResult> {
  const { rule, settings, pool, variant, space } = checkOptions(o);
  const ledger = new Ledger(o.oracle, o.budget);
  const ctx = new SearchContext(space, new Random(o.seed), ledger, o.proxy, pool, variant, settings);
  try {
    await rule.run(ctx);
    throw new Error(`${o.algorithm} stopped before spending its budget`);
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
  }
  return { best: ledger.best, history: ledger.history, incumbents: ledger.incumbents.map((i) => ledger.history[i]!.arch) };
}

export interface SeededRun extends SearchResult {
  run: number;
  seed: number;
}

/** `runs` searches; run r is seeded by the r-th draw of Random(seed). */
export async function* searchRuns(o: SearchOptions, runs: number): AsyncGenerator<SeededRun> {
  checkOptions(o);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new RangeError(`runs must be an integer ≥ 1, got ${runs}`);
  const seeds = new Random(o.seed);
  for (let run = 0; run < runs; run++) {
    const seed = seeds.nextUint32();
    yield { run, seed, ...(await search({ ...o, seed })) };
  }
}

function checkOptions(o: SearchOptions) {
  const space = typeof o.space === 'string' ? NAMED_SPACES[o.space] : o.space;
  if (space === undefined)
    throw new RangeError(`unknown search space ${JSON.stringify(o.space)} (known: ${Object.keys(NAMED_SPACES).join(', ')})`);
  if (!isAlgorithmName(o.algorithm))
    throw new RangeError(`unknown search algorithm ${JSON.stringify(o.algorithm)} (known: ${Object.keys(ALGORITHMS).join(', ')})`);
  const rule = ALGORITHMS[o.algorithm];
  const variant = o.variant ?? 'published';
  const pool = o.pool ?? 10;
  if ('needsProxy' in rule && o.proxy === undefined)
    throw new RangeError(`${o.algorithm} needs a proxy (it chooses its initial population)`);
  if (variant !== 'published' && variant !== 'corrected')
    throw new RangeError(`variant must be published or corrected, got ${JSON.stringify(variant)}`);
  if (variant === 'corrected' && !('corrected' in rule))
    throw new RangeError(`${o.algorithm} has no corrected variant (only reinforce and bohb do)`);
  if (!Number.isSafeInteger(o.budget) || o.budget < 1)
    throw new RangeError(`the budget must be an integer ≥ 1 trained architectures, got ${o.budget}`);
  if (!isSeed(o.seed)) throw new RangeError(`seed must be an integer in [0, 2^32), got ${o.seed}`);
  if (!Number.isSafeInteger(pool) || pool < 1) throw new RangeError(`pool must be an integer ≥ 1, got ${pool}`);
  const settings: SearchSettings = { ...DEFAULT_SETTINGS, ...o.settings };
  for (const k of ['population', 'tournament', 'initSample', 'kdeSamples'] as const)
    if (!Number.isSafeInteger(settings[k]) || settings[k] < 1)
      throw new RangeError(`setting ${k} must be an integer ≥ 1, got ${settings[k]}`);
  return { rule, settings, pool, variant, space };
}
