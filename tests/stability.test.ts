/** Score stability between seeds and between runs, on hand-made lines with known rank correlations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalLine } from '../src/eval/report.js';
import { agreement, runStability, seedStability } from '../src/eval/stability.js';

const line = (index: number, seed: number, scores: Record<string, number | null>): EvalLine => ({
  index,
  arch: `a${index}`,
  dataset: 'cifar10',
  seed,
  scores,
});

test('agreement: ρ over the architectures both runs hold with finite values, matched by index not order', () => {
  const a = [line(0, 1, { s: 1 }), line(1, 1, { s: 2 }), line(2, 1, { s: 3 }), line(3, 1, { s: 4 }), line(4, 1, { s: null })];
  const b = [line(3, 2, { s: 40 }), line(2, 2, { s: 30 }), line(0, 2, { s: 10 }), line(1, 2, { s: 20 }), line(9, 2, { s: 5 })];
  assert.equal(agreement(a, b, 's'), { rho: 1, archs: 4 });
  const reversed = b.map((l) => ({ ...l, scores: { s: -l.scores.s! } }));
  assert.equal(agreement(a, reversed, 's'), { rho: -1, archs: 4 });
});

test('seed stability: every seed pair, mean and minimum; a key that one seed reverses', () => {
  // seed 1: 1 2 3 4; seed 2: the same order; seed 3: two middle ones swapped (ρ = 0.8 against either)
  const order = { 1: [1, 2, 3, 4], 2: [10, 20, 30, 40], 3: [1, 3, 2, 4] } as Record<number, number[]>;
  const lines = [1, 2, 3].flatMap((seed) => order[seed]!.map((v, i) => line(i, seed, { s: v, c: 7 })));
  const [s, c] = seedStability(lines, ['s', 'c']);
  assert.equal(
    s!.pairs.map((p) => [p.label, p.rho, p.archs]),
    [
      ['seeds 1–2', 1, 4],
      ['seeds 1–3', 0.8, 4],
      ['seeds 2–3', 0.8, 4],
    ],
  );
  assert.ok(Math.abs(s!.mean - 2.6 / 3) < 1e-15);
  assert.is(s!.min, 0.8);
  // a constant score has no rank correlation: NaN, left out of mean and min
  assert.ok(c!.pairs.every((p) => Number.isNaN(p.rho)));
  assert.ok(Number.isNaN(c!.mean));
});

test('run stability: pairs of labelled runs, skipping runs without the key', () => {
  const b32 = [0, 1, 2].map((i) => line(i, 1, { s: i }));
  const b64 = [0, 1, 2].map((i) => line(i, 1, { s: 2 - i, t: i }));
  const b128 = [0, 1, 2].map((i) => line(i, 1, { s: i, t: i }));
  const [s, t] = runStability(
    [
      { label: 'batch 32', lines: b32 },
      { label: 'batch 64', lines: b64 },
      { label: 'batch 128', lines: b128 },
    ],
    ['s', 't'],
  );
  assert.equal(
    s!.pairs.map((p) => [p.label, p.rho]),
    [
      ['batch 32–batch 64', -1],
      ['batch 32–batch 128', 1],
      ['batch 64–batch 128', -1],
    ],
  );
  assert.equal(
    t!.pairs.map((p) => p.label),
    ['batch 64–batch 128'],
  );
});

test.run();
