/**
 * The proxies on the command line, generated from the registry: `--proxies` and its help (every proxy with
 * what it computes and what it consumes), and one flag per proxy option (options.ts) with its parsing and
 * help line. A new proxy or option appears here without an edit.
 */
import {
  isChoiceOption,
  PROXY_OPTION_NAMES,
  PROXY_OPTIONS,
  type AnyOptionSpec,
  type ProxyOptionName,
  type ProxyOptions,
} from '../proxies/options.js';
import { PER_SAMPLE_BN_NAMES } from '../eval/protocol.js';
import type { SearchSpace } from '../nets/space.js';
import { ENSEMBLE_MEMBERS } from '../proxies/ensemble.js';
import { CONSUMED, DEFAULT_PROXIES, PROXIES, PROXY_NAMES, isPerSample, parseProxyList, type ProxyName } from '../proxies/registry.js';
import { quote } from '../util/quote.js';
import { UsageError, choiceOption, intOption, type OptionSpec, type ParsedArgs } from './args.js';

/** Where the help text of an option starts, and the width it wraps at. */
const TEXT_COLUMN = 29;
const WIDTH = 115;

/** One help entry: `left` (indented flag and value), then `text` from `column`, wrapped with that indent. */
export function helpEntry(left: string, text: string, column = TEXT_COLUMN): string {
  const indent = ' '.repeat(column);
  const lines: string[] = [];
  let line = left.length < column - 1 ? left.padEnd(column) : `${left}\n${indent}`;
  let empty = true;
  for (const word of text.split(' ')) {
    const last = line.slice(line.lastIndexOf('\n') + 1);
    if (!empty && last.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

const spellings = (spec: AnyOptionSpec): string => (isChoiceOption(spec) ? Object.keys(spec.choices).join('|') : 'N');

/** `--proxies`: the default, then each proxy in `all`'s order with its summary and what it is computed from. */
export function proxiesHelp(): string {
  const width = Math.max(...PROXY_NAMES.map((p) => p.length)) + 2;
  const rows = PROXY_NAMES.map((p) => {
    const e = PROXIES[p];
    return helpEntry(
      `${' '.repeat(TEXT_COLUMN + 2)}${p}`,
      `${e.summary} (from ${e.consumes.map((c) => CONSUMED[c]).join(' and ')})`,
      TEXT_COLUMN + 2 + width,
    );
  });
  const ensemble = helpEntry(
    `${' '.repeat(TEXT_COLUMN + 2)}ensemble`,
    `its members (${ENSEMBLE_MEMBERS.join(', ')}), and Σ ln(rank/N) of them over the run's architectures`,
    TEXT_COLUMN + 2 + width,
  );
  return `${helpEntry('  --proxies LIST|all', `comma-separated (default ${DEFAULT_PROXIES.join(',')}), or all of them, in this order:`)}\n${rows.join('\n')}\n${ensemble}`;
}

/** The help line of one proxy option: its flag, its spellings, its text. */
export function proxyOptionHelp(name: ProxyOptionName): string {
  const spec = PROXY_OPTIONS[name];
  return helpEntry(`  --${spec.flag} ${spellings(spec)}`, spec.help);
}

/** The option table entries of these proxy options (for parseArgs). */
export function proxyOptionSpecs(names: readonly ProxyOptionName[] = PROXY_OPTION_NAMES): Record<string, OptionSpec> {
  return Object.fromEntries(names.map((n) => [PROXY_OPTIONS[n].flag, {}]));
}

/** Reads these proxy options from the command line (the rest keep their defaults). */
export function parseProxyOptions(args: ParsedArgs, names: readonly ProxyOptionName[] = PROXY_OPTION_NAMES): ProxyOptions {
  const out: Record<string, unknown> = {};
  for (const name of PROXY_OPTION_NAMES) {
    const spec: AnyOptionSpec = PROXY_OPTIONS[name];
    if (!names.includes(name)) out[name] = spec.default;
    else if (isChoiceOption(spec)) {
      const v = args.values.get(spec.flag);
      if (v !== undefined && !Object.hasOwn(spec.choices, v)) {
        throw new UsageError(`--${spec.flag} must be one of ${spellings(spec)}, got ${quote(v)}`);
      }
      out[name] = v === undefined ? spec.default : spec.choices[v];
    } else out[name] = intOption(args, spec.flag, spec.default, spec.min);
  }
  return out as unknown as ProxyOptions;
}

/**
 * `--per-sample-bn sample|batch`, defaulting to what the space's networks need (NB301: batch); choosing per-sample
 * statistics for a space whose per-sample gradients they reduce to rounding noise is allowed, with a warning.
 */
export function perSampleBnOption(
  args: ParsedArgs,
  space: SearchSpace,
  proxies: readonly ProxyName[],
  warn: (line: string) => void,
): (typeof PER_SAMPLE_BN_NAMES)[number] {
  const fallback = space.perSampleBn ?? 'sample';
  const bn = choiceOption(args, 'per-sample-bn', PER_SAMPLE_BN_NAMES, fallback);
  if (bn === 'sample' && fallback === 'batch' && proxies.some(isPerSample))
    warn(
      `warning: --space ${space.name} with --per-sample-bn sample: every feature map of these networks ends in a BN, so with ` +
        "each image's own statistics the pooled features are 0 and every per-sample gradient is rounding noise (GradSign/GradAlign mean nothing)",
    );
  return bn;
}

/** `--proxies LIST|all`, default gradsign,gradalign1,gradalign2; a bad list is a usage error. */
export function proxiesOption(args: ParsedArgs): ProxyName[] {
  try {
    return args.values.has('proxies') ? parseProxyList(args.values.get('proxies')!) : [...DEFAULT_PROXIES];
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
