#!/usr/bin/env node
/** The zerocost command line: dispatches to `score` and `demo`; usage errors exit 2, data errors exit 1. */
import { UsageError } from './args.js';
import { runDemo } from './demo.js';
import { runEval } from './eval.js';
import { runMerge } from './merge.js';
import { runScore } from './score.js';
import { runSelect } from './select.js';
import { USAGE } from './usage.js';

async function main(argv: string[]): Promise<number> {
  const io = { out: (s: string) => process.stdout.write(s + '\n'), err: (s: string) => process.stderr.write(s + '\n') };
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help')) {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'score') return await runScore(rest, io);
    if (command === 'demo') return await runDemo(rest, io);
    if (command === 'eval') return await runEval(rest, { ...io, tty: process.stderr.isTTY === true });
    if (command === 'select') return await runSelect(rest, io);
    if (command === 'merge') return await runMerge(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(command)} (expected score, eval, select, merge or demo; see zerocost --help)`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`zerocost: ${e.message}`);
      return 2;
    }
    io.err(`zerocost: error: ${(e as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
