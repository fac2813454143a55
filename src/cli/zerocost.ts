#!/usr/bin/env node
/** The zerocost command line: dispatches to the commands; usage errors exit 2, data errors exit 1. */
import { readFileSync } from 'node:fs';
import { quote } from '../util/quote.js';
import { UsageError } from './args.js';
import { runDemo } from './demo.js';
import { runEval } from './eval.js';
import { runMerge } from './merge.js';
import { runScore } from './score.js';
import { runSearch } from './search.js';
import { runSelect } from './select.js';
import { COMMANDS, USAGE, commandUsage, type CommandName } from './usage.js';

// A reader that stops early (`zerocost score ... | head -2`) closes the pipe: that is the reader's choice, not
// a failure, so the run ends at once, quietly and with success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** The version in package.json, two folders above dist/src/cli in a checkout and in an installed package. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const isCommand = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);

async function main(argv: string[]): Promise<number> {
  const io = { out: (s: string) => process.stdout.write(s + '\n'), err: (s: string) => process.stderr.write(s + '\n') };
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === '--version' || command === '-V') {
    io.out(`zerocost ${version()}`);
    return 0;
  }
  const help = (s: string) => s === '--help' || s === '-h';
  if (help(command) || command === 'help') {
    process.stdout.write(isCommand(rest[0]) ? commandUsage(rest[0]) : USAGE);
    return 0;
  }
  if (isCommand(command) && rest.some(help)) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  try {
    if (command === 'score') return await runScore(rest, io);
    if (command === 'demo') return await runDemo(rest, io);
    if (command === 'eval') return await runEval(rest, { ...io, tty: process.stderr.isTTY === true });
    if (command === 'select') return await runSelect(rest, io);
    if (command === 'merge') return await runMerge(rest, io);
    if (command === 'search') return await runSearch(rest, io);
    throw new UsageError(`unknown command ${quote(command)} (expected score, eval, select, search, merge or demo; see zerocost --help)`);
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
