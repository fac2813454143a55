/** The search's building blocks: the NB201 encoding, mutation, the budget ledger and its incumbents. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNb201Table } from '../src/node/files.js';
import { BudgetSpent, Ledger } from '../src/search/ledger.js';
import { mutate, randomGenes } from '../src/search/moves.js';
import { NB201_SEARCH_SPACE } from '../src/search/nb201_space.js';
import { categoricalSpace, spaceSize } from '../src/search/space.js';
import { Random } from '../src/util/random.js';
import { throwsWith } from './helpers.js';

test('NB201 genes: the 15,625 table architectures are the 5^6 gene vectors, text and genes round trip', () => {
  const table = loadNb201Table();
  const seen = new Set<string>();
  for (const row of table.rows) {
    const g = NB201_SEARCH_SPACE.genes(row.arch);
    assert.is(NB201_SEARCH_SPACE.text(g), row.arch);
    seen.add(g.join(''));
  }
  assert.is(seen.size, 15625);
  assert.is(spaceSize(NB201_SEARCH_SPACE), 15625);
  // edge order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2; ops in NB201_OPS order
  assert.equal(
    NB201_SEARCH_SPACE.genes('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'),
    [3, 3, 4, 1, 3, 1],
  );
  // a node's inputs written out of order read by (from, to)
  assert.equal(NB201_SEARCH_SPACE.genes('|none~0|+|none~1|skip_connect~0|+|none~0|none~1|none~2|'), [0, 1, 0, 0, 0, 0]);
  throwsWith(() => NB201_SEARCH_SPACE.text([0, 0, 0, 0, 0, 5]), 'gene 5 is 5');
  throwsWith(() => NB201_SEARCH_SPACE.genes('|none~0|'), 'expected 3 node groups');
});

test('mutation never returns its parent, changes exactly one decision, and reaches every other value evenly', () => {
  for (const space of [NB201_SEARCH_SPACE, categoricalSpace('mixed', [2, 3, 7])]) {
    const rng = new Random(3);
    const counts = new Map<string, number>();
    const draws = 30000;
    const parent = randomGenes(space, rng);
    for (let i = 0; i < draws; i++) {
      const child = mutate(space, parent, rng);
      const changed = child.map((v, d) => (v === parent[d] ? -1 : d)).filter((d) => d >= 0);
      assert.is(changed.length, 1, `${child} from ${parent}`);
      const d = changed[0]!;
      assert.ok(child[d]! >= 0 && child[d]! < space.choices[d]!);
      counts.set(`${d}:${child[d]}`, (counts.get(`${d}:${child[d]}`) ?? 0) + 1);
    }
    // each decision 1/D of the time, then each of its c − 1 other values equally often
    const D = space.choices.length;
    assert.is(
      counts.size,
      space.choices.reduce((a, c) => a + c - 1, 0),
    );
    for (const [key, n] of counts) {
      const d = Number(key.split(':')[0]);
      const expected = draws / D / (space.choices[d]! - 1);
      assert.ok(Math.abs(n - expected) < 5 * Math.sqrt(expected), `${space.name} ${key}: ${n} vs ${expected.toFixed(0)}`);
    }
    // a random point is uniform over the space: every decision's values about equally often
    const g = Array.from({ length: 5000 }, () => randomGenes(space, rng));
    space.choices.forEach((c, d) => {
      for (let v = 0; v < c; v++) {
        const n = g.filter((x) => x[d] === v).length;
        assert.ok(Math.abs(n - 5000 / c) < 5 * Math.sqrt(5000 / c), `${space.name} decision ${d} value ${v}: ${n}`);
      }
    });
  }
});

test('categoricalSpace: text round trip, errors name the problem', () => {
  const s = categoricalSpace('toy', [3, 4]);
  assert.equal(s.genes('2-3'), [2, 3]);
  assert.is(s.text([1, 0]), '1-0');
  throwsWith(() => s.genes('3-0'), 'not a point of space toy');
  throwsWith(() => s.genes('1'), 'not a point of space toy');
  throwsWith(() => s.genes('1-x'), 'not a point of space toy');
  throwsWith(() => categoricalSpace('bad', [3, 1]), 'at least 2 choices');
});

test('the ledger counts exactly, refuses the budget+1-th training, and tracks the incumbent by fidelity, then reward', async () => {
  const rewards: Record<string, number> = { a: 5, b: 7, c: 6, d: 1, e: 9, f: 2 };
  let calls = 0;
  const ledger = new Ledger({ train: (arch) => (calls++, rewards[arch]!) }, 6);
  const order: [string, number][] = [
    ['a', 1 / 9],
    ['b', 1 / 9],
    ['c', 1 / 3], // higher fidelity wins though its reward is lower
    ['d', 1 / 9], // lower fidelity never displaces
    ['e', 1 / 3], // same fidelity, higher reward
    ['f', 1], // the top rung: the only one at it
  ];
  for (const [arch, f] of order) await ledger.train(arch, f);
  assert.equal(
    ledger.incumbents.map((i) => ledger.history[i]!.arch),
    ['a', 'b', 'c', 'c', 'e', 'f'],
  );
  assert.is(ledger.left, 0);
  let thrown: unknown;
  await ledger.train('a').catch((e) => (thrown = e));
  assert.instance(thrown, BudgetSpent);
  assert.is(calls, 6, 'the refused training never reached the oracle');
  const full = new Ledger({ train: (arch) => rewards[arch]! }, 4);
  for (const a of ['d', 'b', 'e', 'e']) await full.train(a);
  assert.equal(
    full.incumbents.map((i) => full.history[i]!.arch),
    ['d', 'b', 'e', 'e'],
  );
  assert.is(full.incumbents[3], 2, 'ties keep the first');
  let bad: unknown;
  await new Ledger({ train: () => NaN }, 1).train('a').catch((e) => (bad = e));
  assert.match(String(bad), 'the oracle returned NaN as the reward of a');
  throwsWith(() => new Ledger({ train: () => 1 }, 0), 'budget must be an integer ≥ 1');
});

test.run();
