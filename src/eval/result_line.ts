/**
 * The shape of one results line (`zerocost eval`'s JSON lines), checked before anything reads it, and the
 * rule that a file counts each (dataset, seed, architecture) once however many times it holds it.
 */
import { NB201_NUM_ARCHS } from '../data/nb201_table.js';
import type { EvalLine } from './report.js';

/** A results line that is valid JSON but not a results line: the reason, without the file and line. */
export class ResultLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultLineError';
  }
}

export interface ResultLine extends EvalLine {
  space: string;
  /** Which of the space's tables `index` counts in, when not its default one (NB101: "suite-zero"). */
  table?: string;
  seconds: number;
  warnings: string[];
  protocol: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a line is checked against: its space's name, the table's size and, to check `arch`, its architectures. */
export interface ResultTable {
  space: string;
  /** The table's name when it is not the space's default one. */
  table?: string;
  size: number;
  archOf?: (index: number) => string;
}

const NB201_LINES: ResultTable = { space: 'nb201', size: NB201_NUM_ARCHS };

/**
 * Checks a parsed JSON value field by field against `table` (default: an NB201 line, any architecture);
 * throws ResultLineError naming the first field that is wrong.
 */
export function checkResultLine(v: unknown, table: ResultTable = NB201_LINES): ResultLine {
  const fail = (why: string): never => {
    throw new ResultLineError(why);
  };
  if (!isObject(v)) fail(`expected a JSON object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  const o = v as Record<string, unknown>;
  const name = table.space.toUpperCase();
  if (o.space !== table.space) fail(`"space" must be "${table.space}", got ${brief(o.space)}`);
  if (o.table !== table.table)
    fail(
      table.table === undefined
        ? `"table" ${brief(o.table)}: this is the ${name} default table`
        : `"table" must be "${table.table}", got ${brief(o.table)}`,
    );
  const index = o.index;
  if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= table.size)
    fail(`"index" must be an ${name} index in [0, ${table.size}), got ${brief(index)}`);
  if (typeof o.arch !== 'string') fail(`"arch" must be a string, got ${brief(o.arch)}`);
  if (table.archOf && table.archOf(index as number) !== o.arch)
    fail(`"arch" ${brief(o.arch)} is not ${name} architecture #${index as number}`);
  if (typeof o.dataset !== 'string' || o.dataset === '') fail(`"dataset" must be a name, got ${brief(o.dataset)}`);
  if (!Number.isInteger(o.seed) || (o.seed as number) < 0 || (o.seed as number) >= 2 ** 32)
    fail(`"seed" must be an integer in [0, 2^32), got ${brief(o.seed)}`);
  if (!isObject(o.scores)) fail(`"scores" must be an object, got ${brief(o.scores)}`);
  for (const [k, s] of Object.entries(o.scores as object))
    if (s !== null && typeof s !== 'number') fail(`score "${k}" must be a number or null, got ${brief(s)}`);
  if (typeof o.seconds !== 'number') fail(`"seconds" must be a number, got ${brief(o.seconds)}`);
  if (!Array.isArray(o.warnings) || !o.warnings.every((w) => typeof w === 'string')) fail(`"warnings" must be a list of strings`);
  if (!isObject(o.protocol)) fail(`"protocol" must be an object, got ${brief(o.protocol)}`);
  return o as unknown as ResultLine;
}

/** A value as a short quote for an error message. */
function brief(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export const lineKey = (l: EvalLine): string => `${l.dataset}|${l.seed}|${l.index}`;

/**
 * The first line of each (dataset, seed, architecture), in file order, and how many later ones were dropped
 * (two writers, or a merge of overlapping shards, can leave repeats; counted twice they would shift ρ).
 */
export function uniqueLines<L extends EvalLine>(lines: readonly L[]): { lines: L[]; duplicates: number } {
  const seen = new Set<string>();
  const out: L[] = [];
  for (const l of lines) {
    const k = lineKey(l);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(l);
  }
  return { lines: out, duplicates: lines.length - out.length };
}
