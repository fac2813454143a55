/**
 * Property-based fuzzing (fast-check) of every parser of user input: arch strings, `--archs` files,
 * safetensors files and headers, command-line arguments, results files and their lines. Each either succeeds with a result that holds its
 * invariants or throws its documented error type (ArchStringError, UsageError, DataFormatError) with a short
 * message; nothing else escapes and nothing hangs. Runs are bounded in count and in time (≈ 1 s per parser).
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError, choiceOption, intOption, parseArgs, seedListOption, seedOption } from '../src/cli/args.js';
import { parseArchList } from '../src/cli/arch_list.js';
import { SCORE_OPTIONS } from '../src/cli/score.js';
import { DataFormatError } from '../src/io/errors.js';
import { parseSafetensorsFile, serializeSafetensors, SAFETENSORS_DTYPES, type RawTensor } from '../src/io/safetensors.js';
import { ArchStringError, NB201_OPS, archString, parseArch } from '../src/nets/nb201/arch.js';
import { checkResultLine, ResultLineError } from '../src/eval/result_line.js';
import { openResults, ResultsFileError } from '../src/node/results_file.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bounded: at most 2,000 runs and 1 s per property in npm test (an interrupted run is not a failure), on a
 * fixed seed. FUZZ_RUNS=N FUZZ_SEED=S search longer and elsewhere.
 */
const LONG = process.env.FUZZ_RUNS !== undefined;
const BUDGET = {
  numRuns: Number(process.env.FUZZ_RUNS ?? 2000),
  interruptAfterTimeLimit: LONG ? 600_000 : 1000,
  markInterruptAsFailure: false,
  seed: Number(process.env.FUZZ_SEED ?? 20261202),
};
/** An error message never floods the terminal, whatever the input's size (inputs are quoted cut to 200). */
const MESSAGE_MAX = 1500;

/** Catches `e` if it is one of `types` with a short message; rethrows anything else so fast-check reports it. */
function expectError(e: unknown, ...types: (new (...a: never[]) => Error)[]): void {
  if (!types.some((t) => e instanceof t)) throw e;
  if ((e as Error).message.length > MESSAGE_MAX) throw new Error(`message of ${(e as Error).message.length} characters`);
}

// Arch strings: valid ones, near misses built from the grammar's own tokens, and arbitrary text.
const validArch = fc.tuple(...[1, 2, 3].flatMap((node) => Array.from({ length: node }, () => fc.constantFrom(...NB201_OPS)))).chain((ops) =>
  fc
    .tuple(
      fc.shuffledSubarray([0], { minLength: 1, maxLength: 1 }),
      fc.shuffledSubarray([0, 1], { minLength: 2, maxLength: 2 }),
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
    )
    .map((sources) => {
      let k = 0;
      return sources.map((s) => `|${s.map((from) => `${ops[k++]}~${from}`).join('|')}|`).join('+');
    }),
);
const TOKENS = [
  '|',
  '+',
  '~',
  '||',
  ...NB201_OPS,
  'conv',
  '0',
  '1',
  '2',
  '3',
  '9'.repeat(400),
  '-1',
  'a',
  '#',
  ' ',
  '\t',
  'é',
  '\u0000',
  '\ud800',
];
const nearArch = fc.oneof(
  validArch,
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join('')),
  validArch.chain((a) =>
    fc
      .tuple(fc.nat(a.length), fc.nat(a.length), fc.constantFrom(...TOKENS))
      .map(([i, j, t]) => a.slice(0, Math.min(i, j)) + t + a.slice(Math.max(i, j))),
  ),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

test('arch strings: valid ones round-trip, everything else is an ArchStringError', () => {
  fc.assert(
    fc.property(validArch, (a) => archString(parseArch(a)) === a),
    BUDGET,
  );
  fc.assert(
    fc.property(nearArch, (s) => {
      try {
        const g = parseArch(s);
        // accepted: six edges, each from an earlier node, and the string is already canonical
        assert.is(g.edges.length, 6);
        assert.ok(g.edges.every((e) => e.from < e.to));
        assert.is(archString(g), s);
      } catch (e) {
        expectError(e, ArchStringError);
      }
    }),
    BUDGET,
  );
});

// --archs files: lines of near-miss arch strings, comments and blanks, with either line ending.
const archFile = fc
  .tuple(
    fc.array(
      fc.oneof(
        nearArch.map((s) => s.replace(/[\r\n]/g, '')),
        validArch,
        validArch.map((a) => ` ${a}  # note`),
        fc.constantFrom('', '# comment', '   ', '#'),
      ),
      { maxLength: 30 },
    ),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([lines, eol]) => ({ lines, text: lines.join(eol) }));

test('--archs files: distinct valid lines with their true line numbers, or a UsageError naming real bad lines', () => {
  fc.assert(
    fc.property(archFile, ({ lines, text }) => {
      const body = lines.map((l) => l.replace(/#.*/, '').trim());
      let list;
      try {
        list = parseArchList(text, 'f');
      } catch (e) {
        expectError(e, UsageError);
        for (const m of (e as Error).message.matchAll(/^f:(\d+): /gm)) {
          const line = body[Number(m[1]) - 1];
          assert.ok(line !== undefined && line !== '', `reported line ${m[1]} is blank or absent`);
          assert.throws(
            () => parseArch(line!),
            (e: unknown) => e instanceof ArchStringError,
          );
        }
        return;
      }
      const { entries, warnings } = list;
      assert.ok(entries.length > 0);
      assert.is(new Set(entries.map((e) => e.arch)).size, entries.length, 'each architecture once');
      for (const e of entries) assert.is(body[e.line - 1], e.arch, `line ${e.line}`);
      const valid = body.filter((b) => b !== '');
      assert.is(entries.length, new Set(valid).size);
      assert.is(warnings.length, [...new Set(valid)].filter((a) => valid.indexOf(a) !== valid.lastIndexOf(a)).length);
    }),
    BUDGET,
  );
});

// safetensors: arbitrary bytes, headers near the format (fields of the wrong type or size), and round trips.
function withHeader(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const fieldValue = fc.oneof(
  fc.constantFrom(...SAFETENSORS_DTYPES, 'F128', '__proto__', 'toString', 'F'.repeat(5000)),
  fc.jsonValue({ maxDepth: 2 }),
  fc.array(fc.oneof(fc.nat(40), fc.integer(), fc.double(), fc.constant(2 ** 53), fc.constant(-0)), { maxLength: 4 }),
);
const entry = fc.record({ dtype: fieldValue, shape: fieldValue, data_offsets: fieldValue }, { requiredKeys: [] });
const headerObject = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__metadata__', '__proto__', 'constructor', 'n'.repeat(5000))),
  fc.oneof(entry, fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.integer()))),
  { maxKeys: 5 },
);

test('safetensors: any bytes and any header give tensors or a DataFormatError', () => {
  const parse = (bytes: Uint8Array) => {
    try {
      const { tensors } = parseSafetensorsFile(bytes, 'f.safetensors');
      for (const t of tensors.values())
        assert.is(
          t.data.length,
          t.shape.reduce((a, b) => a * b, 1),
        );
    } catch (e) {
      expectError(e, DataFormatError);
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), parse), BUDGET);
  fc.assert(
    fc.property(
      fc.oneof(
        headerObject.map((h) => JSON.stringify(h)),
        fc.string({ maxLength: 100 }),
      ),
      fc.uint8Array({ maxLength: 256 }),
      (header, data) => parse(withHeader(header, data)),
    ),
    BUDGET,
  );
});

test('safetensors: what the writer writes, the reader reads back (names and metadata of any text)', () => {
  const tensor = fc
    .tuple(fc.array(fc.nat(4), { maxLength: 3 }), fc.constantFrom('F32', 'I64', 'U8', 'F64'))
    .map(([shape, dtype]): RawTensor => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data =
        dtype === 'F32'
          ? Float32Array.from({ length: n }, (_, i) => i / 3)
          : dtype === 'F64'
            ? Float64Array.from({ length: n }, (_, i) => -i)
            : dtype === 'I64'
              ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i) - 5n)
              : Uint8Array.from({ length: n }, (_, i) => i);
      return { dtype, shape, data };
    });
  const name = fc.string({ maxLength: 10 }).filter((s) => s !== '__metadata__');
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(name, tensor), { selector: ([n]) => n, maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
      (list, metadata) => {
        const back = parseSafetensorsFile(serializeSafetensors(new Map(list), metadata));
        assert.equal([...back.tensors.keys()].sort(), list.map(([n]) => n).sort());
        for (const [n, t] of list) assert.equal(back.tensors.get(n), t, n);
        assert.equal(Object.entries(back.metadata).sort(), Object.entries(metadata).sort());
      },
    ),
    BUDGET,
  );
});

// Command lines: the parser's own option names (and look-alikes such as inherited property names) with values.
const argToken = fc.oneof(
  fc.constantFrom(
    ...Object.keys(SCORE_OPTIONS).map((k) => `--${k}`),
    '--',
    '-',
    '--=',
    '--json=1',
    '--batch=',
    '--seed=4294967296',
    '--constructor',
    '--__proto__',
    '--toString',
    '--hasOwnProperty',
    '1',
    '-3',
    '1e3',
    '0x10',
    '4294967295',
    'f64',
    'all',
    '1,2,,3',
  ),
  fc.string({ maxLength: 20 }).map((s) => `--${s}`),
  fc.string({ maxLength: 300 }),
);

test('command lines: parsed into the options the spec names, or a UsageError; option readers too', () => {
  fc.assert(
    fc.property(fc.array(argToken, { maxLength: 12 }), (argv) => {
      let args;
      try {
        args = parseArgs(argv, SCORE_OPTIONS);
      } catch (e) {
        return expectError(e, UsageError);
      }
      for (const k of args.values.keys()) assert.ok(Object.hasOwn(SCORE_OPTIONS, k) && !SCORE_OPTIONS[k]!.flag, `value for --${k}`);
      for (const k of args.flags) assert.ok(Object.hasOwn(SCORE_OPTIONS, k) && SCORE_OPTIONS[k]!.flag, `flag --${k}`);
      for (const read of [
        () => intOption(args, 'batch', 128, 1),
        () => seedOption(args, 'seed', 1),
        () => seedListOption(args, 'seed', '1'),
        () => choiceOption(args, 'dtype', ['f32', 'f64'] as const, 'f32'),
      ]) {
        try {
          const v = read();
          if (typeof v === 'number') assert.ok(Number.isSafeInteger(v) && v >= 0);
        } catch (e) {
          expectError(e, UsageError);
        }
      }
    }),
    BUDGET,
  );
});

// Results lines: a valid line with fields removed, retyped or replaced, arbitrary JSON, and torn text.
const GOOD_LINE = {
  space: 'nb201',
  index: 3,
  arch: 'a',
  dataset: 'cifar10',
  seed: 1,
  scores: { gradsign: 1, gradalign2: null },
  seconds: 0.1,
  warnings: [],
  protocol: { batch: 16 },
};
const mutatedLine = fc.oneof(
  fc.constant(GOOD_LINE as unknown),
  fc.tuple(fc.constantFrom(...Object.keys(GOOD_LINE)), fc.jsonValue()).map(([k, v]) => ({ ...GOOD_LINE, [k]: v })),
  fc.constantFrom(...Object.keys(GOOD_LINE)).map((k) => {
    const o: Record<string, unknown> = { ...GOOD_LINE };
    delete o[k];
    return o;
  }),
  fc.jsonValue(),
);

test('results lines: a results line is returned as it is, anything else is a ResultLineError', () => {
  fc.assert(
    fc.property(mutatedLine, (v) => {
      try {
        assert.is(checkResultLine(v), v);
      } catch (e) {
        expectError(e, ResultLineError);
      }
    }),
    BUDGET,
  );
});

const dir = mkdtempSync(join(tmpdir(), 'zerocost-fuzz-'));
const fileLine = fc.oneof(
  mutatedLine.map((v) => JSON.stringify(v) ?? 'null'),
  fc.constant(JSON.stringify(GOOD_LINE)),
  fc.constant(''),
  fc.string({ maxLength: 80 }),
  fc.constant(JSON.stringify(GOOD_LINE)).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))),
);

test('results files: read (good lines kept in order) or a ResultsFileError naming file:line; --repair keeps exactly the good lines', () => {
  let n = 0;
  fc.assert(
    fc.property(fc.array(fileLine, { maxLength: 12 }), fc.boolean(), (lines, newline) => {
      const f = join(dir, `r${n++}.jsonl`);
      const text = lines.join('\n') + (newline ? '\n' : '');
      writeFileSync(f, text);
      let good: unknown[];
      try {
        good = openResults(f, { readOnly: true, check: checkResultLine }).existing;
      } catch (e) {
        expectError(e, ResultsFileError);
        assert.match((e as Error).message, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: not a results line`));
        const repaired = openResults(f, { check: checkResultLine, repair: true });
        repaired.close();
        const kept = readFileSync(f, 'utf8').split('\n').filter(Boolean);
        assert.is(kept.length, repaired.existing.length);
        for (const l of kept) checkResultLine(JSON.parse(l));
        return;
      }
      for (const g of good) checkResultLine(g);
    }),
    { ...BUDGET, numRuns: Math.min(BUDGET.numRuns, 300) },
  );
});

test.run();
