/** Table 6's Markdown and the search-curve SVG: their layout follows the numbers given, exactly. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { curvesSvg } from '../src/eval/svg_curves.js';
import { GRADSIGN_TABLE6 } from '../src/search/paper_numbers.js';
import { table6Markdown } from '../src/search/report.js';
import { throwsWith } from './helpers.js';

test("Table 6's paper numbers are the paper's (spot checks of the issue's and the paper's text)", () => {
  assert.equal(GRADSIGN_TABLE6['REA']!.test.cifar10, { mean: 93.85, std: 0.44 });
  assert.equal(GRADSIGN_TABLE6['G-REA']!.test.cifar10, { mean: 94.1, std: 0.52 });
  assert.equal(GRADSIGN_TABLE6['G-RS']!.test.cifar10, { mean: 94.02, std: 0.21 });
  assert.equal(GRADSIGN_TABLE6['G-REINFORCE']!.test['imagenet16-120'], { mean: 44.05, std: 1.48 });
  assert.equal(GRADSIGN_TABLE6['G-HB']!.val.cifar100, { mean: 71.92, std: 0.92 });
  assert.equal(GRADSIGN_TABLE6['A-REA (naswot)']!.val.cifar10, { mean: 91.2, std: 0.27 });
  assert.is(GRADSIGN_TABLE6['A-REA (naswot)']!.test.cifar10, undefined);
  assert.equal(Object.keys(GRADSIGN_TABLE6).length, 9);
});

test('table6Markdown: our row, then the paper’s where it has one, two decimals, a dash where a number is missing', () => {
  const s = (mean: number, std: number) => ({ mean, std });
  const lines = table6Markdown(
    [
      {
        label: 'RS',
        val: { cifar10: s(90.123, 0.456) },
        test: { cifar10: s(93.7, 0.3), cifar100: s(71, 1), 'imagenet16-120': s(44.5, 1.25) },
      },
      { label: 'G-RS, corrected', val: {}, test: {} },
    ],
    GRADSIGN_TABLE6,
  );
  assert.equal(lines, [
    '| method | CIFAR-10 val | CIFAR-10 test | CIFAR-100 val | CIFAR-100 test | ImageNet16-120 val | ImageNet16-120 test |',
    '|---|---|---|---|---|---|---|',
    '| RS | 90.12±0.46 | 93.70±0.30 | – | 71.00±1.00 | – | 44.50±1.25 |',
    '| *RS (paper)* | 90.93±0.37 | 93.72±0.38 | 70.96±1.12 | 71.07±1.07 | 44.47±1.08 | 44.61±1.22 |',
    '| G-RS, corrected | – | – | – | – | – | – |',
  ]);
});

test('curvesSvg: one band and one line per series at the right coordinates, escaped labels, a legend, clipping', () => {
  const svg = curvesSvg(
    [
      { label: 'A <plain>', colour: '#111111', dashed: true, x: [1, 2, 3], mean: [90, 91, 92], std: [1, 1, 0] },
      { label: 'B & co', colour: '#222222', x: [1, 2, 3], mean: [91, 92, 93], std: [0, 0, 0] },
    ],
    { title: 'T', xLabel: 'trained architectures', yLabel: 'acc', yMin: 89, yMax: 93, width: 800, height: 500, subtitle: 'sub' },
  );
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg '));
  assert.is((svg.match(/<polygon class="band"/g) ?? []).length, 2);
  assert.is((svg.match(/<polyline class="mean"/g) ?? []).length, 2);
  assert.is((svg.match(/stroke-dasharray/g) ?? []).length, 2, 'the dashed series: its line and its legend sample');
  assert.match(svg, 'A &lt;plain&gt;');
  assert.match(svg, 'B &amp; co');
  assert.match(svg, 'clip-path="url(#plot-area)"');
  // plot area: left 64, top 56 (subtitle), bottom 52, right 16 + legend; x 1 → left edge, y 89 → bottom, 93 → top
  const legend = 24 + 'A <plain>'.length * 7;
  const pw = 800 - 64 - 16 - legend,
    ph = 500 - 56 - 52;
  const line = svg.match(/<polyline class="mean" points="([^"]+)" stroke="#222222"/)![1]!.split(' ');
  assert.equal(line, [
    `64.00,${(56 + ph - (2 / 4) * ph).toFixed(2)}`,
    `${(64 + pw / 2).toFixed(2)},${(56 + ph / 4).toFixed(2)}`,
    `${(64 + pw).toFixed(2)},56.00`,
  ]);
  assert.is(
    svg,
    curvesSvg(
      [
        { label: 'A <plain>', colour: '#111111', dashed: true, x: [1, 2, 3], mean: [90, 91, 92], std: [1, 1, 0] },
        { label: 'B & co', colour: '#222222', x: [1, 2, 3], mean: [91, 92, 93], std: [0, 0, 0] },
      ],
      { title: 'T', xLabel: 'trained architectures', yLabel: 'acc', yMin: 89, yMax: 93, width: 800, height: 500, subtitle: 'sub' },
    ),
    'deterministic',
  );
  throwsWith(
    () => curvesSvg([{ label: 'x', colour: '#000', x: [1, 2], mean: [1], std: [0] }], { title: '', xLabel: '', yLabel: '' }),
    'needs as many x, mean and std',
  );
  throwsWith(() => curvesSvg([], { title: '', xLabel: '', yLabel: '' }), 'no series');
});

test.run();
