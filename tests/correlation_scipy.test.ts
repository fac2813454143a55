/** Spearman ρ and Kendall τ-b against scipy (fixtures/scipy/correlations.json, see its README). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { kendallTauB, spearman } from '../src/eval/correlation.js';
import { readJson, repoRoot } from './helpers.js';

interface Case {
  name: string;
  note: string;
  /** NaN is written as null. */
  x: (number | null)[];
  y: (number | null)[];
  n: number;
  dropped: number;
  /** null where scipy gives NaN. */
  spearman: number | null;
  kendall: number | null;
}

const fixture = readJson<{ scipy: string; cases: Case[] }>(join(repoRoot, 'fixtures', 'scipy', 'correlations.json'));
const decode = (v: (number | null)[]): number[] => v.map((e) => (e === null ? NaN : e));
const TOL = 1e-12;

function agrees(got: number, want: number | null, what: string): void {
  if (want === null) {
    assert.ok(Number.isNaN(got), `${what}: scipy ${fixture.scipy} gives NaN, got ${got}`);
  } else {
    assert.ok(Math.abs(got - want) <= TOL, `${what}: got ${got}, scipy ${fixture.scipy} gives ${want} (Δ ${got - want})`);
  }
}

test('the fixture covers the planned cases', () => {
  assert.ok(fixture.cases.length >= 15, `${fixture.cases.length} cases`);
  assert.ok(
    fixture.cases.some((c) => c.spearman === null && c.kendall === null),
    'an all-tied (NaN) case',
  );
  assert.ok(
    fixture.cases.some((c) => c.dropped > 0),
    'a case with NaN inputs',
  );
  assert.ok(
    fixture.cases.some((c) => c.x.length >= 2000),
    'a large case',
  );
});

for (const c of fixture.cases) {
  test(`scipy agreement: ${c.name}`, () => {
    const x = decode(c.x),
      y = decode(c.y);
    const rho = spearman(x, y),
      tau = kendallTauB(x, y);
    agrees(rho.value, c.spearman, `${c.name} spearman`);
    agrees(tau.value, c.kendall, `${c.name} kendall`);
    for (const [label, r] of [
      ['spearman', rho],
      ['kendall', tau],
    ] as const) {
      assert.is(r.n, c.n, `${c.name} ${label} n`);
      assert.is(r.dropped, c.dropped, `${c.name} ${label} dropped`);
      assert.is(r.n + r.dropped, c.x.length);
    }
  });
}

test('all-tied input gives NaN, not 0 or ±1', () => {
  for (const [x, y] of [
    [
      [2, 2, 2],
      [1, 2, 3],
    ],
    [
      [1, 2, 3],
      [5, 5, 5],
    ],
    [
      [4, 4],
      [4, 4],
    ],
  ] as const) {
    assert.ok(Number.isNaN(spearman([...x], [...y]).value));
    assert.ok(Number.isNaN(kendallTauB([...x], [...y]).value));
  }
});

test('fewer than two usable pairs gives NaN with the pairs counted', () => {
  const r = spearman([NaN, 1, 2], [3, NaN, 4]),
    t = kendallTauB([NaN, 1, 2], [3, NaN, 4]);
  assert.ok(Number.isNaN(r.value) && Number.isNaN(t.value));
  assert.equal([r.n, r.dropped, t.n, t.dropped], [1, 2, 1, 2]);
});

test.run();
