/**
 * The NB301 file of NAS-Bench-Suite-Zero (src/data/nb301_table.ts and its Node loader): the shared file itself,
 * and every way a small file written here can be truncated or malformed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NB301_PROXY_FIELDS, parseNb301Table } from '../src/data/nb301_table.js';
import { compactGenotypeText } from '../src/nets/darts/genotype.js';
import { DataFormatError } from '../src/io/errors.js';
import { defaultNb301TablePath, loadNb301Table } from '../src/node/files.js';
import { skipSuite, throwsWith } from './helpers.js';

const KEY_A =
  '[[(0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)], [(1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)]]';
const KEY_B =
  '[[(0, 5), (1, 0), (2, 1), (0, 2), (3, 2), (0, 3), (1, 0), (3, 5)], [(1, 1), (0, 2), (0, 5), (1, 0), (0, 6), (2, 2), (4, 6), (0, 0)]]';

/** One entry as the file writes it, every proxy {score, time}. */
function entry(key: string, idx: string, valAcc: number, params: number, flops: number): Record<string, unknown> {
  const e: Record<string, unknown> = { idx, arch: key, val_accuracy: valAcc };
  NB301_PROXY_FIELDS.forEach((f, i) => (e[f] = { score: f === 'params' ? params : f === 'flops' ? flops : i - 5.5, time: 0.5 + i }));
  return e;
}
const small = () => ({
  cifar10: { [KEY_A]: entry(KEY_A, '534', 93.32, 0.856298, 153.499136), [KEY_B]: entry(KEY_B, '164', 92.7, 0.673834, 126.252544) },
});
/** The small file with `edit` applied to a deep copy. */
function edited(edit: (f: { cifar10: Record<string, Record<string, unknown>> }) => void): string {
  const f = JSON.parse(JSON.stringify(small())) as { cifar10: Record<string, Record<string, unknown>> };
  edit(f);
  return JSON.stringify(f);
}

test('a small file: rows in file order, genotypes, surrogate accuracy, every proxy value and time', () => {
  const t = parseNb301Table(JSON.stringify(small()));
  assert.is(t.rows.length, 2);
  const [a, b] = t.rows as [NonNullable<(typeof t.rows)[0]>, NonNullable<(typeof t.rows)[0]>];
  assert.equal([a.index, a.idx, a.key, a.surrogateValAcc], [0, 534, KEY_A, 93.32]);
  assert.equal([b.index, b.idx, b.key, b.surrogateValAcc], [1, 164, KEY_B, 92.7]);
  assert.equal(a.genotype.normal.pairs[1], { op: 'dil_conv_3x3', input: 1 });
  assert.equal(a.genotype.reduce.pairs[7], { op: 'dil_conv_5x5', input: 3 });
  assert.is(a.scores.params, 0.856298);
  assert.is(a.scores.flops, 153.499136);
  assert.is(a.scores.synflow, NB301_PROXY_FIELDS.indexOf('synflow') - 5.5);
  assert.is(a.seconds.snip, 0.5 + NB301_PROXY_FIELDS.indexOf('snip'));
  assert.is(t.byKey.get(KEY_B), b);
  assert.equal(Object.keys(a.scores).sort(), [...NB301_PROXY_FIELDS].sort());
});

test('a truncated or non-JSON file: says so, with its length and end', () => {
  const text = JSON.stringify(small());
  const cut = text.slice(0, Math.floor(text.length / 2));
  const msg = throwsWith(
    () => parseNb301Table(cut, 'nb301.json'),
    DataFormatError,
    'nb301.json: not JSON',
    `${cut.length} characters`,
    'is the file truncated?',
  );
  assert.ok(msg.length < 400, msg);
  throwsWith(() => parseNb301Table(''), 'not JSON');
});

test('the wrong layout: no "cifar10", another top-level key, no genotypes', () => {
  throwsWith(() => parseNb301Table('[]'), 'expected {"cifar10": {compact genotype: {idx, arch, val_accuracy, flops, params, ...}}}');
  throwsWith(() => parseNb301Table(JSON.stringify({ cifar100: {} })), 'expected {"cifar10"');
  throwsWith(() => parseNb301Table(JSON.stringify({ ...small(), cifar100: {} })), 'unexpected top-level key "cifar100"');
  throwsWith(() => parseNb301Table('{"cifar10": {}}'), '"cifar10" has no genotypes');
});

test('a key that is not a valid compact genotype: the key and the genotype error', () => {
  const bad = KEY_A.replace('(3, 6)]]', '(3, 9)]]');
  const text = edited((f) => {
    f.cifar10[bad] = { ...f.cifar10[KEY_A]!, arch: bad };
  });
  throwsWith(() => parseNb301Table(text, 'f.json'), 'f.json: key "[[(0, 0)', 'unknown op index 9 in pair 7 of the reduce cell');
  const malformed = edited((f) => {
    f.cifar10['[[(0, 0), (1, 5)'] = f.cifar10[KEY_A]!;
  });
  throwsWith(() => parseNb301Table(malformed), 'key "[[(0, 0), (1, 5)": invalid DARTS genotype: malformed text');
});

test("an entry's fields: missing, extra, arch not the key, ill-typed idx, accuracy, proxy value", () => {
  const cases: [(e: Record<string, unknown>) => void, string][] = [
    [(e) => delete e['snip'], 'no "snip" field'],
    [(e) => delete e['val_accuracy'], 'no "val_accuracy" field'],
    [(e) => (e['zen'] = { score: 1, time: 1 }), 'unexpected field "zen"'],
    [(e) => (e['arch'] = KEY_A), 'arch "[[(0, 0), (1, 5)'], // KEY_A's arch under KEY_B
    [(e) => (e['idx'] = 534), 'idx 534 is not a decimal integer string'],
    [(e) => (e['val_accuracy'] = 0.93e3), 'val_accuracy 930 is not a percentage'],
    [(e) => (e['val_accuracy'] = null), 'val_accuracy null is not a percentage'],
    [(e) => (e['grasp'] = 1.5), 'grasp is 1.5, not {"score": x, "time": t}'],
    [(e) => (e['grasp'] = { score: 1.5 }), 'grasp is {"score":1.5}, not {"score": x, "time": t}'],
    [(e) => (e['fisher'] = { score: null, time: 1 }), 'fisher.score null is not a finite number'],
    [(e) => (e['fisher'] = { score: 1, time: -1 }), 'fisher.time -1 is not a number of seconds'],
    [(e) => (e['params'] = { score: 0, time: 1 }), 'params 0 and flops 126.252544 must be positive'],
  ];
  for (const [edit, part] of cases) {
    const text = edited((f) => edit(f.cifar10[KEY_B]!));
    throwsWith(() => parseNb301Table(text), DataFormatError, `key "${KEY_B.slice(0, 20)}`, part);
  }
  const notObject = edited((f) => {
    (f.cifar10 as Record<string, unknown>)[KEY_B] = 3;
  });
  throwsWith(() => parseNb301Table(notObject), 'the value is not an object');
});

test('a genotype twice (differently spaced keys) or an idx twice', () => {
  const spaced = KEY_A.replace(/ /g, '');
  const twice = edited((f) => {
    f.cifar10[spaced] = { ...f.cifar10[KEY_A]!, arch: spaced, idx: '7' };
  });
  throwsWith(() => parseNb301Table(twice), `key "${spaced.slice(0, 20)}`, `the same genotype as key "${KEY_A.slice(0, 20)}`, '(row 1)');
  const idx = edited((f) => {
    f.cifar10[KEY_B]!['idx'] = '534';
  });
  throwsWith(() => parseNb301Table(idx), 'idx 534 already belongs to key "[[(0, 0)');
});

test('the Node loader: names the file; a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zc-nb301-'));
  try {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(small()));
    assert.is(loadNb301Table(good).rows.length, 2);
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, JSON.stringify(small()).slice(0, 300));
    throwsWith(() => loadNb301Table(cut), DataFormatError, `${cut}: not JSON`, 'is the file truncated?');
    throwsWith(() => loadNb301Table(join(dir, 'absent.json')), 'cannot read NB301 file', 'absent.json: no such file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const path = defaultNb301TablePath();
if (path === undefined) skipSuite('the shared NB301 file', '../shared/data/nb301 is absent');
else {
  test('the shared file: 725 genotypes, keys in canonical compact form, idx 0..724, surrogate accuracies and the first row', () => {
    const t = loadNb301Table(path);
    assert.is(t.rows.length, 725);
    assert.is(t.byKey.size, 725);
    for (const r of t.rows) assert.is(compactGenotypeText(r.genotype), r.key);
    assert.equal(
      t.rows.map((r) => r.idx).sort((x, y) => x - y),
      Array.from({ length: 725 }, (_, i) => i),
    );
    const first = t.rows[0]!;
    assert.equal(
      [first.key, first.idx, first.surrogateValAcc, first.scores.params, first.scores.flops],
      [KEY_A, 534, 93.32119084207302, 0.856298, 153.499136],
    );
    const accs = t.rows.map((r) => r.surrogateValAcc);
    assert.is(Math.min(...accs), 91.2365853685347);
    assert.is(Math.max(...accs), 94.48888302784498);
    assert.is(loadNb301Table()?.rows.length, 725, 'the default path');
  });
}

test.run();
