/**
 * `--archs FILE` for `score` and `eval`: one architecture per line (an NB201 arch string, an NB101 cell as a JSON
 * line: whatever the space's `canonical` reads), `#` comments and blank lines ignored.
 * Every bad line is reported at once, each with its line in the file; a repeated architecture is kept once
 * (at its first line) and reported, so a file never scores or counts an architecture twice.
 */
import { readFileSync } from 'node:fs';
import { NB201_SPACE } from '../nets/nb201/space.js';
import type { SearchSpace } from '../nets/space.js';
import { quote } from '../util/quote.js';
import { UsageError } from './args.js';

export interface ArchListEntry {
  /** Canonical arch string. */
  arch: string;
  /** 1-based line in the file. */
  line: number;
}

export interface ArchList {
  entries: ArchListEntry[];
  /** One line per repeated architecture, naming every line it is on. */
  warnings: string[];
}

/** At most this many bad lines are listed; the rest are counted. */
const MAX_LISTED = 10;

export interface ArchListOptions {
  /** The space the lines are written in (default NAS-Bench-201). */
  space?: SearchSpace;
  /** May refuse a well-formed architecture (eval: one missing from the table) with a reason. */
  check?: (arch: string) => string | undefined;
}

/** Parses the text of an arch list named `source` in messages. Throws a UsageError listing every bad line. */
export function parseArchList(text: string, source: string, { space = NB201_SPACE, check }: ArchListOptions = {}): ArchList {
  const lines = new Map<string, number[]>();
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.replace(/#.*/, '').trim();
    if (s === '') return;
    let arch: string;
    try {
      arch = space.canonical(s);
    } catch (e) {
      errors.push(`${source}:${i + 1}: ${(e as Error).message}`);
      return;
    }
    const refused = check?.(arch);
    if (refused !== undefined) errors.push(`${source}:${i + 1}: ${quote(arch)} ${refused}`);
    else if (lines.has(arch)) lines.get(arch)!.push(i + 1);
    else lines.set(arch, [i + 1]);
  });
  if (errors.length > 0) {
    const more = errors.length > MAX_LISTED ? `\n… and ${errors.length - MAX_LISTED} more bad lines` : '';
    throw new UsageError(errors.slice(0, MAX_LISTED).join('\n') + more);
  }
  if (lines.size === 0) throw new UsageError(`--archs file ${source} holds no architecture`);
  const entries: ArchListEntry[] = [];
  const warnings: string[] = [];
  for (const [arch, at] of lines) {
    // a Map keeps first-appearance order
    entries.push({ arch, line: at[0]! });
    if (at.length > 1) warnings.push(`${source}: ${arch} is on lines ${at.join(', ')}: scored once (line ${at[0]})`);
  }
  return { entries, warnings };
}

/** Reads and parses `--archs FILE`; an unreadable file is a usage error. */
export function readArchList(path: string, options: ArchListOptions = {}): ArchList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read --archs file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return parseArchList(text, path, options);
}
