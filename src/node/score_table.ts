/**
 * A full NB201 score table from a `zerocost eval` results file (plain or gzipped): one line per architecture, all
 * 15,625 of them, of one dataset's images and one seed (the smallest in the file), checked line by line. What
 * `zerocost search` ranks candidates with.
 */
import { NB201_NUM_ARCHS, type Nb201Table } from '../data/nb201_table.js';
import { checkResultLine, uniqueLines, type ResultLine } from '../eval/result_line.js';
import { openResults } from './results_file.js';

export interface ScoreTable {
  path: string;
  /** One line per architecture, in NB201 index order. */
  lines: ResultLine[];
  /** The images the scores were computed on, and the seed. */
  dataset: string;
  seed: number;
  /** The score keys every line has (any of them can assist a search). */
  keys: string[];
}

export function readScoreTable(path: string, table: Nb201Table): ScoreTable {
  const all = uniqueLines(
    openResults<ResultLine>(path, {
      readOnly: true,
      mustExist: true,
      check: (v) => checkResultLine(v, { space: 'nb201', size: table.rows.length, archOf: (i) => table.rows[i]!.arch }),
      repairHint: 'run the zerocost eval that wrote it with --report-only --repair',
    }).existing,
  ).lines;
  if (all.length === 0) throw new Error(`${path}: no results lines`);
  const seed = Math.min(...all.map((l) => l.seed));
  const lines = all.filter((l) => l.seed === seed).sort((a, b) => a.index - b.index);
  const datasets = [...new Set(lines.map((l) => l.dataset))];
  if (datasets.length > 1)
    throw new Error(`${path}: seed ${seed} has scores from the images of ${datasets.join(' and ')}; give a table of one dataset`);
  if (lines.length !== NB201_NUM_ARCHS)
    throw new Error(
      `${path}: seed ${seed} scores ${lines.length} of the ${NB201_NUM_ARCHS} NB201 architectures; a search needs them all ` +
        `(zerocost eval --archs all)`,
    );
  const keys = Object.keys(lines[0]!.scores).filter((k) => lines.every((l) => k in l.scores));
  return { path, lines, dataset: datasets[0]!, seed, keys };
}
