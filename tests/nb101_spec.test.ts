/**
 * NB101 cells: checks and pruning as nasbench's ModelSpec/_check_spec, the graph hash against the 1,000 hashes of
 * the NB101 sample table, the md5 it rests on, and the two NB101 data files (table, Suite-Zero scores).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5Hex } from '../src/util/md5.js';
import { hashModule, nb101Hash } from '../src/nets/nb101/hash.js';
import {
  NB101_OPS,
  Nb101SpecError,
  createNb101Spec,
  nb101Labels,
  parseNb101Spec,
  pruneSpec,
  specFromLabels,
  specToJson,
  type Nb101Spec,
  type Nb101VertexOp,
} from '../src/nets/nb101/spec.js';
import { parseNb101Table } from '../src/data/nb101_table.js';
import { parseSuiteZeroNb101, parseSuiteZeroNb101Key } from '../src/data/suite_zero_nb101.js';
import { DataFormatError } from '../src/io/errors.js';
import { defaultNb101TablePath, defaultSharedDataDir, loadNb101Table, loadSuiteZeroNb101 } from '../src/node/files.js';
import { Random } from '../src/util/random.js';
import { skipSuite, throwsWith } from './helpers.js';

const C3 = 'conv3x3-bn-relu';
const C1 = 'conv1x1-bn-relu';
const MP = 'maxpool3x3';

/** A VxV matrix with the given edges, written `'0>1 1>3'` (from>to). */
function matrixOf(v: number, edges: string): number[][] {
  const m = Array.from({ length: v }, () => new Array<number>(v).fill(0));
  for (const e of edges.split(' ').filter((x) => x !== '')) {
    const [i, j] = e.split('>').map(Number) as [number, number];
    m[i]![j] = 1;
  }
  return m;
}

// ---- md5 ----

test('md5: the RFC 1321 test suite (appendix A.5)', () => {
  const vectors: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  for (const [input, digest] of vectors) assert.is(md5Hex(input), digest, JSON.stringify(input));
});

test('md5: equals node:crypto on random bytes of every length 0..300 and on non-ASCII text', () => {
  const rng = new Random(101);
  for (let n = 0; n <= 300; n++) {
    const bytes = Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
    assert.is(md5Hex(bytes), createHash('md5').update(bytes).digest('hex'), `length ${n}`);
  }
  const bytes = Uint8Array.from({ length: 100_000 }, () => Math.floor(rng.next() * 256));
  assert.is(md5Hex(bytes), createHash('md5').update(bytes).digest('hex'));
  for (const s of ['input→output', 'é'.repeat(57), '😀|ü|']) assert.is(md5Hex(s), createHash('md5').update(s, 'utf8').digest('hex'), s);
});

// ---- pruning ----

test('pruning: an isolated vertex is dropped and the rest renumbered', () => {
  // 0→1→3, vertex 2 has no edge at all.
  const spec = createNb101Spec(matrixOf(4, '0>1 1>3'), ['input', C3, MP, 'output']);
  assert.equal(spec, {
    matrix: matrixOf(3, '0>1 1>2'),
    ops: ['input', C3, 'output'],
  });
});

test('pruning: a vertex the input does not reach is dropped with its edges', () => {
  // Vertex 1 has no in-edge but feeds vertex 2, which is on the path 0→2→4; so is 0→3→4.
  const m = matrixOf(5, '0>2 1>2 2>4 0>3 3>4');
  const spec = createNb101Spec(m, ['input', MP, C3, C1, 'output']);
  assert.equal(spec, {
    matrix: matrixOf(4, '0>1 1>3 0>2 2>3'),
    ops: ['input', C3, C1, 'output'],
  });
  assert.equal(pruneSpec(m, ['input', MP, C3, C1, 'output']).kept, [0, 2, 3, 4]);
});

test('pruning: vertices that do not reach the output are dropped, even when reached', () => {
  // 0→1→4 is the path; 1→2→3 leads nowhere (3 has no out-edge), and 0→3 goes with them.
  const spec = createNb101Spec(matrixOf(5, '0>1 1>4 1>2 2>3 0>3'), ['input', C1, C3, MP, 'output']);
  assert.equal(spec, {
    matrix: matrixOf(3, '0>1 1>2'),
    ops: ['input', C1, 'output'],
  });
});

test('pruning: a pruned cell is left as it is; input→output alone is a cell', () => {
  const m = matrixOf(5, '0>1 0>2 1>3 2>3 3>4 0>4');
  const ops: Nb101VertexOp[] = ['input', C3, MP, C1, 'output'];
  assert.equal(createNb101Spec(m, ops), { matrix: m, ops });
  assert.equal(createNb101Spec(matrixOf(4, '0>3 1>2'), ['input', C3, C3, 'output']), {
    matrix: matrixOf(2, '0>1'),
    ops: ['input', 'output'],
  });
});

// ---- validation ----

test('validation: every error names its problem', () => {
  const E = Nb101SpecError;
  const chain = (v: number) => matrixOf(v, [...Array(v - 1).keys()].map((i) => `${i}>${i + 1}`).join(' '));
  const opsFor = (v: number): Nb101VertexOp[] => ['input', ...new Array<Nb101VertexOp>(v - 2).fill(C3), 'output'];
  throwsWith(() => parseNb101Spec('{"matrix": [[0, 1], [0, 0]], "ops": '), E, 'invalid NB101 cell: not JSON');
  throwsWith(() => parseNb101Spec('[[0, 1], [0, 0]]'), E, 'expected an object', 'got a list');
  throwsWith(
    () =>
      parseNb101Spec({
        matrix: chain(2),
        ops: ['input', 'output'],
        op: [],
      }),
    E,
    'unexpected key "op"',
  );
  throwsWith(() => parseNb101Spec({ ops: ['input', 'output'] }), E, 'no "matrix" key');
  throwsWith(
    () =>
      parseNb101Spec({
        matrix: chain(2),
      }),
    E,
    'no "ops" key',
  );
  throwsWith(() => createNb101Spec('0110', ['input', 'output']), E, 'matrix is not a list of rows');
  throwsWith(
    () => createNb101Spec(JSON.parse('[[0, 1, 0], [0, 0], [0, 0, 0]]'), opsFor(3)),
    E,
    'matrix is not square: row 1 has 2 entries, the matrix has 3 rows',
  );
  throwsWith(() => createNb101Spec(JSON.parse('[[0, 2], [0, 0]]'), ['input', 'output']), E, 'matrix entry [0][1] is 2, not 0 or 1');
  throwsWith(() => createNb101Spec(JSON.parse('[[0, 0.5], [0, 0]]'), ['input', 'output']), E, 'matrix entry [0][1] is 0.5, not 0 or 1');
  throwsWith(() => createNb101Spec(JSON.parse('[[0, true], [0, 0]]'), ['input', 'output']), E, 'matrix entry [0][1] is true, not 0 or 1');
  throwsWith(
    () => createNb101Spec(matrixOf(3, '0>1 2>1 1>2'), opsFor(3)),
    E,
    'matrix is not upper-triangular: entry [2][1] is 1 (an edge from vertex 2 back to vertex 1)',
    'DAGs',
  );
  throwsWith(() => createNb101Spec(matrixOf(3, '0>1 1>1 1>2'), opsFor(3)), E, 'entry [1][1] is 1 (a self-loop on vertex 1)');
  throwsWith(() => createNb101Spec(chain(3), ['input', 'output']), E, '2 ops for a 3x3 matrix');
  throwsWith(() => createNb101Spec(chain(3), 'input,conv,output'), E, 'ops is not a list');
  throwsWith(
    () => createNb101Spec(chain(3), ['input', 'conv5x5', 'output']),
    E,
    'unknown op "conv5x5" at vertex 1 (known: input, output, conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3)',
  );
  throwsWith(() => createNb101Spec([[0]], ['input']), E, '1 vertices: a cell has at least the input and the output');
  throwsWith(() => createNb101Spec(chain(8), opsFor(8)), E, "8 vertices after pruning, more than NB101's 7");
  throwsWith(
    () => createNb101Spec(matrixOf(4, '0>1 0>2 1>2'), opsFor(4)),
    E,
    'no input→output path: the input (vertex 0) does not reach the output (vertex 3)',
  );
  throwsWith(() => createNb101Spec(chain(3), [C3, C3, 'output']), E, 'the first op is "conv3x3-bn-relu", not "input"');
  throwsWith(() => createNb101Spec(chain(3), ['input', C3, MP]), E, 'the last op is "maxpool3x3", not "output"');
  throwsWith(
    () => createNb101Spec(chain(4), ['input', C3, 'output', 'output']),
    E,
    'op "output" at inner vertex 2 (inner vertices take one of',
  );
  throwsWith(() => specFromLabels(chain(3), [-1, 3, -2]), E, 'unknown label 3 at vertex 1 (known: -1 input, -2 output, 0 conv3x3-bn-relu');
});

test('validation: the vertex and edge limits apply after pruning, as nasbench/api.py _check_spec counts them', () => {
  // 7 vertices on the path with 9 edges, plus vertex 5 that reaches nothing: 12 edges before pruning.
  const path = '0>1 1>2 2>3 3>4 4>6 0>2 0>3 0>4 1>3';
  const dangling = '0>5 1>5 2>5';
  const ops: Nb101VertexOp[] = ['input', C3, C1, MP, C3, C1, 'output'];
  const spec = createNb101Spec(matrixOf(7, `${path} ${dangling}`), ops);
  assert.is(spec.ops.length, 6);
  assert.is(
    spec.matrix.flat().reduce((s, x) => s + x, 0),
    9,
  );
  throwsWith(
    () => createNb101Spec(matrixOf(7, `${path} 1>4 ${dangling}`), ops),
    Nb101SpecError,
    "10 edges after pruning, more than NB101's 9",
  );
  // 8 vertices, one of them isolated: 7 after pruning.
  const eight = createNb101Spec(matrixOf(8, '0>1 1>2 2>3 3>4 4>5 5>7'), ['input', C3, C3, C3, C3, C3, MP, 'output']);
  assert.is(eight.ops.length, 7);
  // ops pruning drops are not checked for position: 'output' on a pruned inner vertex is fine (nasbench checks the pruned ops).
  assert.equal(createNb101Spec(matrixOf(4, '0>1 1>3'), ['input', C3, 'output', 'output']).ops, ['input', C3, 'output']);
});

test('specToJson: one canonical line that parseNb101Spec reads back', () => {
  const spec = parseNb101Spec('{"ops": ["input", "conv3x3-bn-relu", "output"], "matrix": [[0, 1, 1], [0, 0, 1], [0, 0, 0]]}');
  const line = specToJson(spec);
  assert.is(line, '{"matrix":[[0,1,1],[0,0,1],[0,0,0]],"ops":["input","conv3x3-bn-relu","output"]}');
  assert.equal(parseNb101Spec(line), spec);
  assert.equal(parseNb101Spec(JSON.parse(line)), spec);
});

// ---- hash ----

/** The cell with its vertices renumbered: vertex i becomes order.indexOf(i). */
function renumber(matrix: number[][], labels: number[], order: number[]): { matrix: number[][]; labels: number[] } {
  return { matrix: order.map((i) => order.map((j) => matrix[i]![j]!)), labels: order.map((i) => labels[i]!) };
}

/** A random topological order of a cell's vertices (so the renumbered matrix stays upper-triangular). */
function randomTopologicalOrder(matrix: number[][], rng: Random): number[] {
  const v = matrix.length;
  const order: number[] = [];
  while (order.length < v) {
    const ready = [...Array(v).keys()].filter((w) => !order.includes(w) && matrix.every((row, u) => !row[w] || order.includes(u)));
    order.push(ready[rng.int(ready.length)]!);
  }
  return order;
}

const TOY_HASH_CELL: Nb101Spec = {
  matrix: matrixOf(4, '0>1 0>2 1>3 2>3'),
  ops: ['input', C3, MP, 'output'],
};

test('hash: isomorphic cells hash equal, a changed op or edge does not', () => {
  const swapped: Nb101Spec = { matrix: TOY_HASH_CELL.matrix, ops: ['input', MP, C3, 'output'] };
  assert.is(nb101Hash(swapped), nb101Hash(TOY_HASH_CELL));
  assert.is.not(nb101Hash({ ...TOY_HASH_CELL, ops: ['input', C3, C1, 'output'] }), nb101Hash(TOY_HASH_CELL));
  assert.is.not(
    nb101Hash({
      ...TOY_HASH_CELL,
      matrix: matrixOf(4, '0>1 0>2 1>3 2>3 1>2'),
    }),
    nb101Hash(TOY_HASH_CELL),
  );
  // hash_module itself does not care for the vertex order at all (input and output moved too).
  const labels = nb101Labels(TOY_HASH_CELL);
  const moved = renumber(TOY_HASH_CELL.matrix, labels, [3, 1, 0, 2]);
  assert.is(hashModule(moved.matrix, moved.labels), nb101Hash(TOY_HASH_CELL));
  assert.match(nb101Hash(TOY_HASH_CELL), /^[0-9a-f]{32}$/);
});

// ---- the data files ----

const shared = defaultSharedDataDir();
const tablePath = defaultNb101TablePath();
const suiteZeroPath = shared && join(shared, 'nb101', 'naslib_zc_nasbench101_subset.json');
if (tablePath === undefined) skipSuite('NB101 table and Suite-Zero NB101 file', '../shared/data/nb101 is absent');

interface RawRow {
  hash: string;
  adjacency: number[][];
  labels: number[];
}

if (tablePath !== undefined) {
  const text = readFileSync(tablePath, 'utf8');
  const raw = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RawRow);

  test('hash: every one of the 1,000 table rows hashes to its hash field', () => {
    assert.is(raw.length, 1000);
    let equal = 0;
    for (const r of raw) {
      assert.is(hashModule(r.adjacency, r.labels), r.hash);
      if (nb101Hash(specFromLabels(r.adjacency, r.labels)) === r.hash) equal++;
    }
    assert.is(equal, 1000);
    assert.is(new Set(raw.map((r) => r.hash)).size, 1000);
  });

  test('hash: invariant under vertex renumbering, changed by any one op (200 table rows)', () => {
    const rng = new Random(7);
    let moved = 0;
    for (const r of raw.slice(0, 200)) {
      // Up to 5 draws for an order other than the identity (a chain has none).
      let order = randomTopologicalOrder(r.adjacency, rng);
      for (let tries = 1; tries < 5 && order.every((x, i) => x === i); tries++) order = randomTopologicalOrder(r.adjacency, rng);
      const p = renumber(r.adjacency, r.labels, order);
      if (order.some((x, i) => x !== i)) moved++;
      assert.is(nb101Hash(specFromLabels(p.matrix, p.labels)), r.hash);
      const shuffled = [...Array(r.labels.length).keys()];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const q = renumber(r.adjacency, r.labels, shuffled);
      assert.is(hashModule(q.matrix, q.labels), r.hash);
      for (let k = 1; k < r.labels.length - 1; k++) {
        const other = [...r.labels];
        other[k] = (other[k]! + 1 + rng.int(2)) % NB101_OPS.length;
        assert.is.not(hashModule(r.adjacency, other), r.hash);
      }
    }
    assert.ok(moved >= 50, `only ${moved} of 200 cells were renumbered`);
  });

  test('table loader: 1,000 rows, known fields, byHash', () => {
    const t = loadNb101Table()!;
    assert.is(t.rows.length, 1000);
    assert.is(t.byHash.size, 1000);
    assert.ok(t.rows.every((r, i) => r.index === i));
    const r0 = t.rows[0]!;
    assert.is(r0.hash, '00005c142e6f48ac74fdcf73e3439874');
    assert.equal(r0.spec.ops, ['input', C3, MP, C3, C3, C1, 'output']);
    assert.equal(r0.spec.matrix[0], [0, 1, 0, 0, 1, 1, 0]);
    assert.is(r0.valAcc, 100 * 0.9304887652397156);
    assert.is(r0.trainTimeS, 1768.9759521484375);
    assert.is(r0.trainableParams, 8555530);
    assert.is(t.byHash.get('0000718c96730a92ea6d5242f8ce77e2'), t.rows[1]);
    const sizes = new Map<number, number>();
    for (const r of t.rows) sizes.set(r.spec.ops.length, (sizes.get(r.spec.ops.length) ?? 0) + 1);
    assert.equal([...sizes.entries()].sort(), [
      [4, 1],
      [5, 8],
      [6, 149],
      [7, 842],
    ]);
    const accs = t.rows.map((r) => r.valAcc);
    assert.is(Math.min(...accs), 100 * 0.0950520858168602);
    assert.is(Math.max(...accs), 100 * 0.9467147588729858);
    // Every accuracy is k/9984 (one NB101 repeat), stored as float32.
    assert.ok(t.rows.every((r) => Math.abs((r.valAcc / 100) * 9984 - Math.round((r.valAcc / 100) * 9984)) < 1e-3));
  });

  test('table loader: a truncated or garbled line is an error naming the file and line', () => {
    const lines = text.trim().split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'nb101-'));
    try {
      const file = join(dir, 'table.jsonl');
      const bad = (edit: (ls: string[]) => string[], ...parts: string[]) => {
        writeFileSync(file, edit([...lines]).join('\n') + '\n');
        throwsWith(() => loadNb101Table(file), DataFormatError, file, ...parts);
      };
      bad((ls) => [ls[0]!, ls[1]!, ls[2]!.slice(0, 100)], 'line 3: not JSON');
      bad(
        (ls) => [ls[0]!, ls[1]!.replace('"hash": "0000718c', '"hash": "1000718c')],
        "line 2: hash 1000718c96730a92ea6d5242f8ce77e2 is not the cell's NB101 hash 0000718c96730a92ea6d5242f8ce77e2",
      );
      bad((ls) => [ls[0]!, ls[1]!, ls[0]!], 'line 3: hash 00005c142e6f48ac74fdcf73e3439874 already appeared on line 1');
      bad((ls) => [ls[0]!.replace('"labels": [-1, 0,', '"labels": [-1, 7,')], 'line 1: invalid NB101 cell: unknown label 7 at vertex 1');
      bad((ls) => [ls[0]!.replace('"val_acc_108ep": 0.93', '"val_acc_108ep": 93')], 'line 1: val_acc_108ep 93', 'not a fraction in [0, 1]');
      bad((ls) => [ls[0]!.replace(', "trainable_params": 8555530', '')], 'line 1: no "trainable_params" field');
      // Vertex 5 of row 0 (0-based) feeds only the output; dropping that edge leaves it dangling.
      bad(
        (ls) => [ls[0]!.replace('[0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]]', '[0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]]')],
        'line 1: the cell is not pruned: 3 of its 7 vertices',
      );
      writeFileSync(file, '');
      throwsWith(() => loadNb101Table(file), DataFormatError, file, 'table is empty');
      throwsWith(() => loadNb101Table(join(dir, 'absent.jsonl')), Error, 'cannot read NB101 table', 'no such file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(parseNb101Table(lines.slice(0, 2).join('\r\n') + '\r\n\n').rows.length, 2);
  });

  test('table loader: an unpruned cell is refused', () => {
    const line = JSON.stringify({
      hash: nb101Hash(specFromLabels(matrixOf(3, '0>1 1>2'), [-1, 0, -2])),
      adjacency: matrixOf(4, '0>1 1>3'),
      labels: [-1, 0, 1, -2],
      val_acc_108ep: 0.5,
      train_time_108ep_s: 1,
      trainable_params: 1,
    });
    throwsWith(() => parseNb101Table(line, 'x.jsonl'), DataFormatError, 'x.jsonl: line 1: the cell is not pruned: 1 of its 4 vertices');
  });
}

if (suiteZeroPath !== undefined && tablePath !== undefined) {
  test('Suite-Zero NB101: 500 unpruned keys prune to 292 cells; duplicates keep every val accuracy, first scores', () => {
    const z = loadSuiteZeroNb101()!;
    assert.is(z.keyCount, 500);
    assert.is(z.cells.size, 292);
    const cells = [...z.cells.values()];
    assert.is(
      cells.reduce((s, c) => s + c.keys.length, 0),
      500,
    );
    assert.is(cells.filter((c) => c.keys.length > 1).length, 48);
    // Every duplicate key's scores differ from its cell's first (a fresh initialisation each time).
    assert.is(z.scoreDisagreements, 500 - 292);
    const biggest = cells.reduce((a, c) => (c.keys.length > a.keys.length ? c : a));
    assert.is(biggest.keys.length, 55);
    assert.equal(biggest.spec, { matrix: matrixOf(2, '0>1'), ops: ['input', 'output'] });
    assert.equal(new Set(biggest.valAccs.map((a) => a.toFixed(4))).size, 3);
    const first = cells[0]!;
    assert.is(
      first.keys[0],
      Object.keys((JSON.parse(readFileSync(suiteZeroPath, 'utf8')) as { nasbench101: { cifar10: object } }).nasbench101.cifar10)[0],
    );
    assert.is(first.valAccs[0], 92.578125);
    assert.equal(first.scores, {
      flops: 624.55808,
      params: 4.095778,
      snip: 112.05493927001953,
      jacob_cov: -32.1920146137777,
      grad_norm: 17.992109298706055,
      fisher: 0.30068138241767883,
      grasp: -8.815108299255371,
      synflow: 88.08498394991342,
    });
    // One cell is in both files.
    const table = loadNb101Table()!;
    assert.equal(
      cells.filter((c) => table.byHash.has(c.hash)).map((c) => c.hash),
      ['0011a6a4e759f16e635a3bb83566c2d1'],
    );
  });

  test('Suite-Zero NB101: the key parser, and errors naming the file and key', () => {
    const key =
      '(0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4, 4, 1)';
    // Vertex 5 (a conv3x3) has no out-edge: pruned with its two in-edges.
    assert.equal(parseSuiteZeroNb101Key(key), {
      matrix: [
        [0, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0],
      ],
      ops: ['input', MP, MP, C3, C3, 'output'],
    });
    throwsWith(() => parseSuiteZeroNb101Key(key.replace(', 1)', ')')), DataFormatError, 'not a Suite-Zero NB101 key');
    throwsWith(() => parseSuiteZeroNb101Key(key.replace(', 1)', ', 5)')), DataFormatError, 'op code 5 at vertex 6 is not one of 0..4');
    const disconnected = `(${new Array(49).fill(0).join(', ')}, 0, 2, 3, 4, 2, 3, 1)`;
    throwsWith(() => parseSuiteZeroNb101Key(disconnected), Nb101SpecError, 'no input→output path');
    const text = readFileSync(suiteZeroPath, 'utf8');
    throwsWith(() => parseSuiteZeroNb101(text.slice(0, 5000), suiteZeroPath), DataFormatError, suiteZeroPath, 'not JSON');
    throwsWith(
      () => parseSuiteZeroNb101(text.replace('"val_accuracy": 92.578125', '"val_accuracy": "x"'), 'z.json'),
      DataFormatError,
      'z.json: key "(0, 1, 1, 1, 1,',
      'val_accuracy "x" is not a finite number',
    );
    throwsWith(
      () => parseSuiteZeroNb101(text.replace(', 2, 2, 4, 4, 4, 1)', ', 2, 2, 4, 4, 4, 4)'), 'z.json'),
      DataFormatError,
      'z.json: key',
      'the last op is "conv3x3-bn-relu", not "output"',
    );
    throwsWith(() => parseSuiteZeroNb101('{"nasbench101": {}}', 'z.json'), DataFormatError, 'z.json: expected {"nasbench101": {"cifar10"');
  });
}

test.run();
