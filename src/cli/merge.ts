/**
 * `zerocost merge OUT FILE...`: one results file from the shards of an evaluation (or any results files of one
 * protocol). Every line is checked, every line's protocol must agree with the first's, each (dataset, seed,
 * architecture) is kept once, and OUT is written whole and then renamed into place under its lock.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { protocolMismatch } from '../eval/protocol.js';
import { lineKey, uniqueLines, type ResultLine } from '../eval/result_line.js';
import { acquireLock } from '../node/file_lock.js';
import { checkLineOfItsSpace } from './benchmarks.js';
import { openResults, replaceFile, ResultsFileError } from '../node/results_file.js';
import { UsageError, parseArgs } from './args.js';

export async function runMerge(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const args = parseArgs(argv, { help: { flag: true } });
  const [out, ...inputs] = args.positional;
  if (out === undefined || inputs.length === 0)
    throw new UsageError(
      'usage: zerocost merge OUT FILE... (results files of one protocol, e.g. the shards of an eval; see zerocost merge --help)',
    );
  if (existsSync(out) && !inputs.some((f) => resolve(f) === resolve(out))) {
    throw new UsageError(`${out} exists and is not one of the inputs: give another OUT, or list ${out} among the inputs to merge into it`);
  }
  const lock = acquireLock(out, (line) => io.err(line));
  try {
    const all: ResultLine[] = [];
    let reference: { file: string; protocol: Record<string, unknown> } | undefined;
    let space: { file: string; name: string } | undefined;
    for (const file of inputs) {
      const lines = openResults<ResultLine>(file, {
        readOnly: true,
        mustExist: true,
        check: checkLineOfItsSpace,
        repairHint: 'run the zerocost eval that wrote it with --report-only --repair',
      }).existing;
      for (const l of lines) {
        reference ??= { file, protocol: l.protocol };
        const kind = l.table === undefined ? l.space : `${l.space} (table ${l.table})`;
        space ??= { file, name: kind };
        if (kind !== space.name)
          throw new ResultsFileError(`${file} holds ${kind} lines and ${space.file} ${space.name} lines: one kind per merge`);
        const mismatch = protocolMismatch(l.protocol, reference.protocol, { held: `in ${file}`, ours: `in ${reference.file}` });
        if (mismatch !== undefined)
          throw new ResultsFileError(`${file} and ${reference.file} hold results of different protocols: ${mismatch}`);
      }
      all.push(...lines);
    }
    const { lines, duplicates } = uniqueLines(all);
    const first = new Map(lines.map((l) => [lineKey(l), l]));
    const conflicting = all.filter((l) => JSON.stringify(l.scores) !== JSON.stringify(first.get(lineKey(l))!.scores)).length;
    replaceFile(out, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    io.err(
      `merge: ${lines.length} results from ${inputs.length} file(s) into ${out}` +
        `${duplicates > 0 ? `; ${duplicates} duplicate line(s) ignored${conflicting > 0 ? `, ${conflicting} of them with other scores than the line kept` : ''}` : ''}`,
    );
    return 0;
  } finally {
    lock.release();
  }
}
