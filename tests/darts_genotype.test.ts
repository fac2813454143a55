/**
 * DARTS genotypes: DARTS's printed Genotype(...) form and NASLib's compact form read into one genotype, written
 * back canonically, and every malformed or invalid input refused with an error that names the problem.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DARTS_V2,
  DartsGenotypeError,
  NASLIB_COMPACT_OPS,
  compactGenotypeText,
  dartsGenotypeText,
  hasCompactForm,
  parseCompactGenotype,
  parseDartsGenotype,
  parseDartsGenotypeText,
  type DartsGenotype,
} from '../src/nets/darts/genotype.js';
import { PyLiteralError, parsePyLiteral } from '../src/nets/darts/python_literal.js';
import { throwsWith } from './helpers.js';

// cnn/genotypes.py DARTS_V2 exactly as DARTS's train.py logs it (namedtuple repr with lists).
const V2_TEXT =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
  "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
  "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
  "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
// The same genotype in NASLib's compact form (input, op index into NASLIB_COMPACT_OPS).
const V2_COMPACT =
  '[[(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 2), (0, 2), (2, 5)], [(0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)]]';
// The first key of the shared NB301 file, and its genotype written out by hand from MANIFEST.txt's op list.
const NB301_KEY =
  '[[(0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)], [(1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)]]';
const NB301_KEY_GENOTYPE: DartsGenotype = {
  normal: {
    pairs: [
      { op: 'max_pool_3x3', input: 0 },
      { op: 'dil_conv_3x3', input: 1 },
      { op: 'avg_pool_3x3', input: 1 },
      { op: 'avg_pool_3x3', input: 0 },
      { op: 'sep_conv_3x3', input: 1 },
      { op: 'sep_conv_3x3', input: 0 },
      { op: 'sep_conv_3x3', input: 1 },
      { op: 'skip_connect', input: 3 },
    ],
    concat: [2, 3, 4, 5],
  },
  reduce: {
    pairs: [
      { op: 'max_pool_3x3', input: 1 },
      { op: 'skip_connect', input: 0 },
      { op: 'sep_conv_3x3', input: 1 },
      { op: 'sep_conv_3x3', input: 0 },
      { op: 'max_pool_3x3', input: 3 },
      { op: 'avg_pool_3x3', input: 0 },
      { op: 'max_pool_3x3', input: 2 },
      { op: 'dil_conv_5x5', input: 3 },
    ],
    concat: [2, 3, 4, 5],
  },
};

// ---- reading both forms ----

test('DARTS-V2 in the Genotype form: its pairs and concat as cnn/genotypes.py has them', () => {
  const g = parseDartsGenotypeText(V2_TEXT);
  assert.equal(
    g.normal.pairs.map((p) => `${p.op}@${p.input}`),
    [
      'sep_conv_3x3@0',
      'sep_conv_3x3@1',
      'sep_conv_3x3@0',
      'sep_conv_3x3@1',
      'sep_conv_3x3@1',
      'skip_connect@0',
      'skip_connect@0',
      'dil_conv_3x3@2',
    ],
  );
  assert.equal(
    g.reduce.pairs.map((p) => `${p.op}@${p.input}`),
    [
      'max_pool_3x3@0',
      'max_pool_3x3@1',
      'skip_connect@2',
      'max_pool_3x3@1',
      'max_pool_3x3@0',
      'skip_connect@2',
      'skip_connect@2',
      'max_pool_3x3@1',
    ],
  );
  assert.equal(g.normal.concat, [2, 3, 4, 5]);
  assert.equal(g.reduce.concat, [2, 3, 4, 5]);
  assert.equal(g, DARTS_V2);
});

test('the compact form: an NB301 key as MANIFEST.txt reads it, (input, op index) with ops [max, avg, skip, sep3, sep5, dil3, dil5]', () => {
  assert.equal(NASLIB_COMPACT_OPS, [
    'max_pool_3x3',
    'avg_pool_3x3',
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'dil_conv_3x3',
    'dil_conv_5x5',
  ]);
  assert.equal(parseCompactGenotype(NB301_KEY), NB301_KEY_GENOTYPE);
});

test('both forms of DARTS-V2 read to the same genotype, and each canonical text reads back to it', () => {
  const a = parseDartsGenotypeText(V2_TEXT);
  const b = parseCompactGenotype(V2_COMPACT);
  assert.equal(a, b);
  assert.is(dartsGenotypeText(b), V2_TEXT);
  assert.is(compactGenotypeText(a), V2_COMPACT);
  assert.equal(parseDartsGenotype(dartsGenotypeText(a)), a);
  assert.equal(parseDartsGenotype(compactGenotypeText(a)), a);
  // the NB301 key: compact → Genotype text → compact is the key itself
  const g = parseDartsGenotype(NB301_KEY);
  assert.is(compactGenotypeText(parseDartsGenotype(dartsGenotypeText(g))), NB301_KEY);
});

test('Genotype form: what Python prints or people write — range(2, 6), positional fields, double quotes, comments, newlines, a module prefix', () => {
  const variants = [
    V2_TEXT.replace(/normal_concat=\[2, 3, 4, 5\]/, 'normal_concat=range(2, 6)').replace(
      /reduce_concat=\[2, 3, 4, 5\]/,
      'reduce_concat=range(2,6)',
    ),
    V2_TEXT.replace(/'/g, '"'),
    V2_TEXT.replace('Genotype(', 'genotypes.Genotype(\n  # DARTS-V2, second order\n  ')
      .replace(/\), \(/g, '),\n    (')
      .replace(/\]\)$/, '],\n)'),
    V2_TEXT.replace(/normal=|normal_concat=|reduce=|reduce_concat=/g, ''), // positional
    V2_TEXT.replace(/\(('[a-z_0-9]+'), (\d)\)/g, '[$1, $2]'), // pairs as lists
  ];
  for (const v of variants) assert.equal(parseDartsGenotype(v), DARTS_V2, v);
});

test('compact form: tuples for the cells (convert_genotype_to_compact returns tuples), spacing free; the canonical text is the file key form', () => {
  const tuples = `(${V2_COMPACT.slice(1, -1).replace(/\[/g, '(').replace(/\]/g, ')')})`;
  assert.equal(parseCompactGenotype(tuples), DARTS_V2);
  assert.equal(parseCompactGenotype(V2_COMPACT.replace(/ /g, '')), DARTS_V2);
  assert.is(compactGenotypeText(parseCompactGenotype(V2_COMPACT.replace(/ /g, ''))), V2_COMPACT);
});

test('genotypes the compact form cannot write: none, another concat, other node counts (NASNet-style 5 nodes)', () => {
  const withNone = parseDartsGenotypeText(V2_TEXT.replace("('skip_connect', 0), ('skip_connect', 0)", "('none', 0), ('skip_connect', 0)"));
  assert.is(withNone.normal.pairs[5]!.op, 'none');
  assert.not.ok(hasCompactForm(withNone));
  throwsWith(() => compactGenotypeText(withNone), DartsGenotypeError, 'compact form', 'none');
  const concat3 = parseDartsGenotypeText(V2_TEXT.replace('reduce_concat=[2, 3, 4, 5]', 'reduce_concat=[3, 4, 5]'));
  assert.equal(concat3.reduce.concat, [3, 4, 5]);
  assert.not.ok(hasCompactForm(concat3));
  const five = parseDartsGenotypeText(
    V2_TEXT.replace("('dil_conv_3x3', 2)]", "('dil_conv_3x3', 2), ('sep_conv_5x5', 5), ('avg_pool_3x3', 1)]").replace(
      'normal_concat=[2, 3, 4, 5]',
      'normal_concat=[2, 3, 4, 5, 6]',
    ),
  );
  assert.is(five.normal.pairs.length, 10);
  assert.equal(five.normal.concat, [2, 3, 4, 5, 6]);
  assert.not.ok(hasCompactForm(five));
  assert.ok(hasCompactForm(DARTS_V2));
  // concat order is kept (it orders the output channels): [5, 2, 3, 4] is not [2, 3, 4, 5]
  const reordered = parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=[5, 2, 3, 4]'));
  assert.equal(reordered.normal.concat, [5, 2, 3, 4]);
  assert.match(dartsGenotypeText(reordered), 'normal_concat=[5, 2, 3, 4]');
});

// ---- errors ----

test('unknown op: named, with the known ones (NASNet/Amoeba ops are not DARTS ops); compact: an op index out of 0..6', () => {
  const msg = throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace("('dil_conv_3x3', 2)", "('sep_conv_7x7', 2)")),
    DartsGenotypeError,
    'unknown op "sep_conv_7x7" in pair 7 of the normal cell',
    'known: none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5',
  );
  assert.ok(msg.startsWith('invalid DARTS genotype: '), msg);
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace("reduce=[('max_pool_3x3', 0)", "reduce=[('conv_7x1_1x7', 0)")),
    'unknown op "conv_7x1_1x7" in pair 0 of the reduce cell',
  );
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace('(2, 5)]', '(2, 7)]')),
    DartsGenotypeError,
    'unknown op index 7 in pair 7 of the normal cell',
    '0 max_pool_3x3',
    '6 dil_conv_5x5',
  );
  throwsWith(() => parseCompactGenotype(V2_COMPACT.replace('[(0, 3)', '[(0, -1)')), 'unknown op index -1 in pair 0 of the normal cell');
});

test('input index out of range: a node reads only the two cell inputs and the nodes before it', () => {
  // pair 1 is node 0 (state 2): it may read states 0 and 1 only
  throwsWith(
    () =>
      parseDartsGenotypeText(
        V2_TEXT.replace("normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)", "normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 2)"),
      ),
    DartsGenotypeError,
    'input 2 of pair 1 (sep_conv_3x3) of the normal cell is out of range: node 0 (state 2) reads states 0..1',
  );
  // pair 7 is node 3 (state 5): states 0..4; 5 would be itself
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace('(1, 0)]]', '(5, 0)]]')),
    'input 5 of pair 7 (max_pool_3x3) of the reduce cell is out of range: node 3 (state 5) reads states 0..4',
  );
  throwsWith(() => parseCompactGenotype(V2_COMPACT.replace('[(0, 3)', '[(-1, 3)')), 'input -1 of pair 0');
  // the largest allowed inputs are fine
  const g = parseCompactGenotype(V2_COMPACT.replace('(2, 5)]', '(4, 5)]'));
  assert.is(g.normal.pairs[7]!.input, 4);
});

test('wrong number of pairs: odd or empty in the Genotype form; anything but 8 per cell, or other than 2 cells, in the compact form', () => {
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace(", ('dil_conv_3x3', 2)]", ']')),
    DartsGenotypeError,
    '7 (op, input) pairs in the normal cell: a cell has two per intermediate node',
  );
  throwsWith(() => parseDartsGenotypeText(V2_TEXT.replace(/reduce=\[[^\]]*\]/, 'reduce=[]')), '0 (op, input) pairs in the reduce cell');
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace(', (2, 5)]', ']')),
    '7 (input, op) pairs in the normal cell: the compact form has 8 (two per node, 4 nodes)',
  );
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace('(1, 0)]]', '(1, 0), (0, 0), (1, 1)]]')),
    '10 (input, op) pairs in the reduce cell',
  );
  throwsWith(
    () => parseCompactGenotype(`[${V2_COMPACT.slice(1, V2_COMPACT.indexOf('], [') + 1)}]`),
    'expected the compact form',
    'got a list of 1',
  );
  throwsWith(() => parseCompactGenotype(`[${V2_COMPACT.slice(1, -1)}, []]`), 'got a list of 3');
});

test('concat: empty, a state the cell lacks, a repeat, or a reduction cell input', () => {
  throwsWith(() => parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=[]')), 'normal_concat is empty');
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=[2, 3, 4, 6]')),
    'normal_concat entry 6 is not a state of the cell (0..5)',
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=range(2, 7)')),
    'normal_concat entry 6',
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('reduce_concat=[2, 3, 4, 5]', 'reduce_concat=[2, 3, 3, 5]')),
    'reduce_concat lists state 3 twice',
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('reduce_concat=[2, 3, 4, 5]', 'reduce_concat=[1, 2, 3, 4, 5]')),
    "reduce_concat lists the cell input 1, which is at twice the resolution of the reduction cell's nodes",
  );
  // a normal cell may concatenate its inputs (DARTS's Cell takes any state)
  assert.equal(
    parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=[0, 2, 3, 4, 5]')).normal.concat,
    [0, 2, 3, 4, 5],
  );
});

test('Genotype fields: missing, repeated, unknown, too many positional, ill-typed', () => {
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace(', reduce_concat=[2, 3, 4, 5]', '')),
    DartsGenotypeError,
    'no reduce_concat field',
  );
  throwsWith(() => parseDartsGenotypeText(V2_TEXT.replace('reduce_concat=', 'normal_concat=')), 'field normal_concat given twice');
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('reduce_concat=', 'reduction_concat=')),
    'unknown field "reduction_concat" of Genotype',
  );
  throwsWith(() => parseDartsGenotypeText('Genotype([], [2], [], [2], [3])'), 'takes 4 fields, got 5 positional arguments');
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace("('sep_conv_3x3', 0)", "(0, 'sep_conv_3x3')")),
    "pair 0 of normal is a tuple of 2, not an (op, input) pair like ('sep_conv_3x3', 0)",
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace("('sep_conv_3x3', 0)", "'sep_conv_3x3'")),
    'pair 0 of normal is the string "sep_conv_3x3"',
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', "normal_concat='2345'")),
    'normal_concat is the string "2345", not a list of states',
  );
  throwsWith(
    () => parseDartsGenotypeText(V2_TEXT.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=range(2, 6, 1)')),
    'normal_concat is range(...) with other than one or two integer arguments',
  );
  throwsWith(
    () => parseDartsGenotypeText(`Genotipe${V2_TEXT.slice('Genotype'.length)}`),
    'expected Genotype(normal=..., normal_concat=..., reduce=..., reduce_concat=...), got a call of Genotipe(...)',
  );
  throwsWith(() => parseDartsGenotypeText(V2_COMPACT), 'expected Genotype(', 'got a list of 2');
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace('(0, 3)', "(0, 'sep_conv_3x3')")),
    'pair 0 of the normal cell is a tuple of 2, not an (input, op index) pair of integers',
  );
});

test('malformed text: the parser says what it expected and where', () => {
  throwsWith(() => parseDartsGenotype(V2_TEXT.slice(0, 20)), DartsGenotypeError, 'malformed text: unterminated string at character 19');
  throwsWith(() => parseDartsGenotype(V2_TEXT.slice(0, -1)), 'malformed text: unclosed "(" of Genotype(...)', 'at the end of the text');
  throwsWith(
    () => parseDartsGenotype(`${V2_TEXT})`),
    `malformed text: unexpected text after the value at character ${V2_TEXT.length + 1} (")")`,
  );
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.slice(0, 40)),
    'malformed text: unclosed "[" (opened at character 2)',
    'at the end of the text',
  );
  throwsWith(() => parseDartsGenotype(V2_TEXT.slice(0, 120)), 'malformed text: unclosed "[" (opened at character 17)');
  throwsWith(
    () => parseCompactGenotype(V2_COMPACT.replace('(0, 3), (1, 3)', '(0, 3) (1, 3)')),
    'malformed text: expected "," or "]" at character 10 ("(1, 3), (0, 3), (1, ")',
  );
  throwsWith(() => parseCompactGenotype(V2_COMPACT.replace('(0, 3)', '(0, 3.5)')), 'malformed text: expected an integer');
  throwsWith(() => parseDartsGenotype(''), 'malformed text: expected a value at the end of the text');
  throwsWith(() => parseDartsGenotype('   '), 'malformed text: expected a value');
  throwsWith(() => parseDartsGenotype(V2_TEXT.replace('normal=', 'normal=DARTS_V1')), 'expected "(" after the name "DARTS_V1"');
  throwsWith(() => parseDartsGenotype(V2_TEXT.replace("'sep_conv_3x3'", "'sep\\_conv_3x3'")), 'backslash escapes are not supported');
  throwsWith(() => parseDartsGenotype(V2_TEXT.replace('reduce=', '')), 'a positional argument after a keyword argument');
  // a long input is quoted shortly
  const long = throwsWith(() => parseDartsGenotype(`${V2_TEXT}${' x'.repeat(5000)}`), 'unexpected text after the value');
  assert.ok(long.length < 300, long);
});

test('the Python-literal reader: values and one-tuples as Python reads them', () => {
  assert.equal(parsePyLiteral(' [ (1,), (2), "a", -3 ] '), {
    kind: 'list',
    at: 1,
    items: [
      { kind: 'tuple', at: 3, items: [{ kind: 'int', value: 1, at: 4 }] },
      { kind: 'int', value: 2, at: 10 },
      { kind: 'str', value: 'a', at: 14 },
      { kind: 'int', value: -3, at: 19 },
    ],
  });
  try {
    parsePyLiteral('[1 2]');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, PyLiteralError);
    assert.is((e as PyLiteralError).at, 3);
  }
});

test.run();
