import { QUOTE_MAX, quote } from '../util/quote.js';
import { SEED_LIMIT, isSeed } from '../util/random.js';

/** A small strict argument parser: `--name value`, `--name=value` and boolean `--flag`; unknown names are errors. */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Takes no value. */
  flag?: boolean;
}

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    // own keys only: an inherited name such as --toString or --constructor is not an option
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) throw new UsageError(`unknown option ${name.length <= QUOTE_MAX ? `--${name}` : quote(`--${name}`)} (see zerocost --help)`);
    if (s.flag) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = argv[i + 1];
      i++;
    }
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, v);
  }
  return { values, flags, positional };
}

export function intOption(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const v = args.values.get(name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${quote(v)}`);
  }
  return Number(v);
}

export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const v = args.values.get(name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join('|')}, got ${quote(v)}`);
  return v as T;
}

/** `--NAME SEED`: an integer in [0, 2³²), the range of the generator's seed. */
export function seedOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = args.values.get(name);
  return v === undefined ? fallback : parseSeed(v, `--${name}`);
}

/** `--NAME 1,2,3`: distinct seeds in the order given. */
export function seedListOption(args: ParsedArgs, name: string, fallback: string): number[] {
  const v = args.values.get(name) ?? fallback;
  if (!/^\d+(,\d+)*$/.test(v)) throw new UsageError(`--${name} must be a comma-separated list of integers, got ${quote(v)}`);
  return [...new Set(v.split(',').map((s) => parseSeed(s, `--${name}`)))];
}

function parseSeed(v: string, what: string): number {
  if (!/^\d+$/.test(v) || !isSeed(Number(v))) throw new UsageError(`${what} must be an integer in [0, ${SEED_LIMIT - 1}], got ${quote(v)}`);
  return Number(v);
}
