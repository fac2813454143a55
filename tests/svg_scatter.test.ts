/** scatterSvg: well-formed standalone SVG, one circle per finite point, round ticks, escaping, determinism. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeXml, logTicks, niceTicks, scatterSvg, type ScatterPoint } from '../src/eval/svg_scatter.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescape(s: string): string {
  return s.replace(/&(#\d+|[a-z]+);/g, (_, e: string) => (e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!));
}

/**
 * A tiny strict XML parser, enough for our SVG: balanced tags, quoted attributes, no stray `<`, `>` or `&` in text or
 * attribute values, exactly one root element. Throws on anything else.
 */
function parseXml(doc: string): El {
  // Text is kept per element; this is fine for our SVG where text never mixes with child elements mid-way.
  let i = 0;
  const root: El = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const checkText = (s: string, where: string) => {
    if (/[<>]/.test(s)) throw new Error(`raw < or > in ${where}: ${JSON.stringify(s)}`);
    if (/&(?!(#\d+|amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bare & in ${where}: ${JSON.stringify(s)}`);
  };
  if (doc.startsWith('<?xml')) i = doc.indexOf('?>') + 2;
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    const top = stack[stack.length - 1]!;
    if (text.trim() !== '') {
      if (top === root) throw new Error(`text outside the root: ${JSON.stringify(text)}`);
      checkText(text, `<${top.name}> text`);
      top.text += unescape(text);
    }
    if (lt < 0) break;
    const gt = doc.indexOf('>', lt);
    if (gt < 0) throw new Error('unterminated tag');
    const tag = doc.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const el = stack.pop()!;
      if (el === root || el.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${el.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*$/.exec(body);
    if (!m) throw new Error(`malformed tag <${tag}>`);
    const el: El = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      checkText(a[2]!, `attribute ${a[1]}`);
      el.attrs[a[1]!] = unescape(a[2]!);
    }
    if (stack.length === 1 && root.children.length > 0) throw new Error('two root elements');
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

function all(el: El, pred: (e: El) => boolean, acc: El[] = []): El[] {
  if (pred(el)) acc.push(el);
  for (const c of el.children) all(c, pred, acc);
  return acc;
}
/** Text content of an element and its descendants (tspans), in document order. */
const textOf = (el: El): string => el.text + el.children.map(textOf).join('');
const byClass = (svg: El, cls: string) => all(svg, (e) => e.attrs.class === cls);
const circles = (svg: El) => all(svg, (e) => e.name === 'circle');
const tickValues = (svg: El, cls: 'x-tick' | 'y-tick') => byClass(svg, cls).map((e) => Number(e.attrs['data-value']));

/** Deterministic pseudo-random points resembling proxy score vs accuracy. */
function samplePoints(n: number, seed = 1): ScatterPoint[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    const q = rnd();
    return { x: Math.round(120 + 1900 * q + 200 * (rnd() - 0.5)), y: Math.round((55 + 35 * q + 12 * (rnd() - 0.5)) * 100) / 100 };
  });
}

/** A round number: a multiple of 1, 2, 2.5 or 5 × 10ᵏ for the tick spacing `step`. */
function isRoundMultiple(v: number, step: number): boolean {
  const q = v / step;
  return Math.abs(q - Math.round(q)) < 1e-9;
}
function isNiceStep(step: number): boolean {
  const m = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
  return [1, 2, 2.5, 5, 10].some((n) => Math.abs(m - n) < 1e-9);
}

const opts = {
  title: 'gradsign vs CIFAR-10 test accuracy — ρ 0.76, τ 0.58, n = 1000',
  xLabel: 'GradSign score',
  yLabel: 'test accuracy (%)',
};

test('a well-formed standalone SVG with one circle per point, title and labels', () => {
  const pts = samplePoints(1000);
  const doc = scatterSvg(pts, opts);
  assert.ok(doc.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'));
  const svg = parseXml(doc);
  assert.is(svg.name, 'svg');
  assert.is(svg.attrs.width, '640');
  assert.is(svg.attrs.height, '480');
  assert.is(circles(svg).length, 1000);
  assert.is(textOf(byClass(svg, 'title')[0]!), opts.title);
  assert.is(byClass(svg, 'x-label')[0]!.text, 'GradSign score');
  assert.is(byClass(svg, 'y-label')[0]!.text, 'test accuracy (%)');
  assert.is(byClass(svg, 'subtitle').length, 0, 'no subtitle when every point is finite');
  // Every circle lies inside the canvas.
  for (const c of circles(svg)) {
    const cx = Number(c.attrs.cx),
      cy = Number(c.attrs.cy);
    assert.ok(cx > 0 && cx < 640 && cy > 0 && cy < 480, `circle at ${cx},${cy}`);
    assert.match(c.attrs.cx!, /^\d+\.\d\d$/);
  }
  // Semi-transparent fill.
  const g = byClass(svg, 'points')[0]!;
  assert.ok(Number(g.attrs['fill-opacity']) < 1);
});

test('the tag checker itself rejects malformed documents', () => {
  assert.throws(() => parseXml('<svg><g></svg>'));
  assert.throws(() => parseXml('<svg><text>a < b</text></svg>'));
  assert.throws(() => parseXml('<svg><text>a & b</text></svg>'));
  assert.throws(() => parseXml('<svg a=1/>'));
  assert.throws(() => parseXml('<svg/><svg/>'));
  assert.not.throws(() => parseXml('<svg><text>a &amp; b</text><circle r="1"/></svg>'));
});

test('ticks: about five round numbers within the data range, labels matching values', () => {
  const pts = samplePoints(500, 7);
  const svg = parseXml(scatterSvg(pts, opts));
  const xs = pts.map((p) => p.x),
    ys = pts.map((p) => p.y);
  for (const [cls, vals] of [
    ['x-tick', xs],
    ['y-tick', ys],
  ] as const) {
    const ticks = tickValues(svg, cls);
    const lo = Math.min(...vals),
      hi = Math.max(...vals);
    assert.ok(ticks.length >= 3 && ticks.length <= 8, `${cls}: ${ticks.length} ticks`);
    const step = Number((ticks[1]! - ticks[0]!).toPrecision(6));
    assert.ok(isNiceStep(step), `${cls} step ${step}`);
    for (let i = 0; i < ticks.length; i++) {
      assert.ok(ticks[i]! >= lo - 1e-9 * (hi - lo) && ticks[i]! <= hi + 1e-9 * (hi - lo), `${cls} ${ticks[i]} outside [${lo}, ${hi}]`);
      assert.ok(isRoundMultiple(ticks[i]!, step), `${cls} ${ticks[i]} is not a multiple of ${step}`);
      if (i > 0) assert.ok(Math.abs(ticks[i]! - ticks[i - 1]! - step) < 1e-9 * step, 'evenly spaced');
    }
    for (const e of byClass(svg, cls)) assert.is(Number(e.text.replace('−', '-')), Number(e.attrs['data-value']));
  }
});

test('niceTicks gives exact decimals and ~5 ticks across scales', () => {
  assert.equal(
    niceTicks(0, 1).map((t) => t.label),
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
  );
  assert.equal(
    niceTicks(0.1, 0.5).map((t) => t.value),
    [0.1, 0.2, 0.3, 0.4, 0.5],
  );
  assert.equal(
    niceTicks(0.1, 0.7).map((t) => t.value),
    [0.2, 0.4, 0.6],
  );
  assert.equal(
    niceTicks(-3, 3).map((t) => t.label),
    ['−2', '0', '2'],
  );
  assert.equal(
    niceTicks(10, 94.5).map((t) => t.value),
    [20, 40, 60, 80],
  );
  for (const [lo, hi] of [
    [0, 1],
    [0.1, 0.7],
    [-3, 3],
    [13.7, 88.2],
    [1e-7, 9e-7],
    [3e5, 1.6e6],
    [-4e30, 9.5e30],
    [1000, 1000.8],
    [-1e308, 1e308],
  ]) {
    const ticks = niceTicks(lo!, hi!);
    assert.ok(ticks.length >= 2 && ticks.length <= 8, `[${lo}, ${hi}]: ${ticks.length} ticks`);
    const step = Number((ticks[1]!.value - ticks[0]!.value).toPrecision(6));
    assert.ok(isNiceStep(step), `[${lo}, ${hi}] step ${step}`);
    for (const t of ticks) {
      assert.ok(t.value >= lo! && t.value <= hi!, `[${lo}, ${hi}] tick ${t.value}`);
      assert.ok(isRoundMultiple(t.value, step));
      // Exact decimals: the value's shortest representation has no floating-point noise.
      const digits = String(t.value).replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
      assert.ok(digits.length <= 6, `noise in ${t.value}`);
    }
  }
});

test('scientific labels for large values, ×10 with superscripts', () => {
  assert.equal(
    niceTicks(3e5, 1.6e6).map((t) => t.label),
    ['5×10⁵', '7.5×10⁵', '1×10⁶', '1.25×10⁶', '1.5×10⁶'],
  );
  assert.equal(
    niceTicks(1e-7, 9e-7).map((t) => t.label),
    ['2×10⁻⁷', '4×10⁻⁷', '6×10⁻⁷', '8×10⁻⁷'],
  );
  const big = niceTicks(1.1e30, 9.5e30);
  for (const t of big) assert.match(t.label, /^\d+(\.\d+)?×10³⁰$/);
  assert.equal(
    niceTicks(0, 2.5e6).map((t) => t.label),
    ['0', '5×10⁵', '1×10⁶', '1.5×10⁶', '2×10⁶', '2.5×10⁶'],
  );
  assert.equal(niceTicks(0, 0.0008).map((t) => t.label)[1], '2×10⁻⁴');
  // The 1e30-scale fixture range from the correlation tests.
  const svg = parseXml(
    scatterSvg(
      [
        { x: -4e30, y: 1 },
        { x: 9.5e30, y: 2 },
        { x: 9.5e30, y: 3 },
      ],
      opts,
    ),
  );
  const labels = byClass(svg, 'x-tick').map((e) => e.text);
  assert.ok(labels.length >= 3 && labels.every((l) => /^(0|−?\d+(\.\d+)?×10³⁰)$/.test(l)), labels.join(' '));
});

test('log x axis: ticks at powers of ten (with 2× and 5× for a narrow range)', () => {
  const wide = logTicks(3e2, 4e8);
  assert.equal(
    wide.major.map((t) => t.value),
    [1e3, 1e4, 1e5, 1e6, 1e7, 1e8],
  );
  assert.equal(
    wide.major.map((t) => t.label),
    ['10³', '10⁴', '10⁵', '10⁶', '10⁷', '10⁸'],
  );
  const narrow = logTicks(7.3e4, 1.53e6);
  assert.equal(
    narrow.major.map((t) => t.value),
    [1e5, 2e5, 5e5, 1e6],
  );
  assert.equal(
    narrow.major.map((t) => t.label),
    ['10⁵', '2×10⁵', '5×10⁵', '10⁶'],
  );
  assert.ok(narrow.minor.includes(3e5) && !narrow.minor.includes(2e5));
  const many = logTicks(1e-3, 1e30);
  assert.equal(
    many.major.map((t) => t.label),
    ['10⁰', '10⁵', '10¹⁰', '10¹⁵', '10²⁰', '10²⁵', '10³⁰'],
    'every 5th power over 33 decades',
  );
  assert.ok(
    logTicks(0.5, 50).major.every((t) => /^[\d.]+$/.test(t.label)),
    'plain labels for 0.01 … 10⁴',
  );

  const pts = samplePoints(300).map((p) => ({ x: 7e4 * 10 ** ((1.3 * p.x) / 2000), y: p.y }));
  const svg = parseXml(scatterSvg([...pts, { x: 0, y: 50 }, { x: -5, y: 60 }], { ...opts, logX: true }));
  assert.is(circles(svg).length, 300);
  const ticks = tickValues(svg, 'x-tick');
  const lo = Math.min(...pts.map((p) => p.x)),
    hi = Math.max(...pts.map((p) => p.x));
  assert.ok(ticks.length >= 2);
  for (const t of ticks) {
    assert.ok(t >= lo && t <= hi, `log tick ${t} outside [${lo}, ${hi}]`);
    const m = t / 10 ** Math.floor(Math.log10(t) + 1e-12);
    assert.ok(
      [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9),
      `log tick ${t}`,
    );
  }
  // Positions: equal ratios are equal distances.
  const xOf = new Map(byClass(svg, 'x-tick').map((e) => [Number(e.attrs['data-value']), Number(e.attrs.x)]));
  const d1 = xOf.get(1e6)! - xOf.get(1e5)!,
    d2 = xOf.get(2e5)! - xOf.get(1e5)!;
  assert.ok(Math.abs(d2 / d1 - Math.log10(2)) < 0.01, `${d2 / d1}`);
  assert.match(byClass(svg, 'subtitle')[0]!.text, /2 non-positive scores omitted \(log scale\)/);
  assert.match(byClass(svg, 'x-label')[0]!.text, /log scale/);
});

test('NaN and infinite points are skipped and counted in the subtitle', () => {
  const pts = samplePoints(50);
  const bad = [
    { x: NaN, y: 50 },
    { x: 1, y: NaN },
    { x: Infinity, y: 70 },
    { x: -Infinity, y: 1 },
    { x: 3, y: -Infinity },
  ];
  const svg = parseXml(scatterSvg([...pts.slice(0, 20), ...bad, ...pts.slice(20)], opts));
  assert.is(circles(svg).length, 50);
  assert.is(byClass(svg, 'subtitle')[0]!.text, '5 non-finite scores omitted');
  assert.is(byClass(parseXml(scatterSvg([...pts, { x: NaN, y: 1 }], opts)), 'subtitle')[0]!.text, '1 non-finite score omitted');
  // Non-finite points do not stretch the axes.
  const a = parseXml(scatterSvg(pts, opts)),
    b = parseXml(scatterSvg([...bad, ...pts], opts));
  assert.equal(tickValues(a, 'x-tick'), tickValues(b, 'x-tick'));
  assert.equal(
    circles(a).map((c) => c.attrs.cx),
    circles(b).map((c) => c.attrs.cx),
  );
});

test('text is XML-escaped', () => {
  const nasty = { title: `a < b & c > "d" 'e' \u0001`, xLabel: '<script>alert(1)</script>', yLabel: 'acc & loss' };
  const doc = scatterSvg(samplePoints(10), nasty);
  assert.not.ok(doc.includes('<script>'));
  const svg = parseXml(doc);
  assert.is(textOf(byClass(svg, 'title')[0]!), `a < b & c > "d" 'e' `);
  assert.is(byClass(svg, 'x-label')[0]!.text, '<script>alert(1)</script>');
  assert.is(byClass(svg, 'y-label')[0]!.text, 'acc & loss');
  assert.is(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
  // Also escaped in the no-data document.
  assert.is(byClass(parseXml(scatterSvg([], nasty)), 'title')[0]!.text, `a < b & c > "d" 'e' `);
});

test('a very long title wraps onto two lines and pushes the plot down', () => {
  const title = 'narrow log range, negative y, and a very long title that goes on and on and on to test the wrapping logic';
  const short = parseXml(scatterSvg(samplePoints(20), { ...opts, width: 520, height: 360 }));
  const long = parseXml(scatterSvg(samplePoints(20), { ...opts, title, width: 520, height: 360 }));
  const el = byClass(long, 'title')[0]!;
  assert.is(textOf(el), title);
  const spans = el.children.filter((c) => c.name === 'tspan');
  assert.is(spans.length, 2);
  assert.ok(Number(el.attrs['font-size']) >= 10);
  for (const sp of spans) assert.ok(sp.text.trim().length * Number(el.attrs['font-size']) * 0.6 < 520, 'each line fits');
  const topOf = (svg: El) => Math.min(...circles(svg).map((c) => Number(c.attrs.cy)));
  assert.ok(
    Math.min(...byClass(long, 'y-tick').map((e) => Number(e.attrs.y))) >
      Math.min(...byClass(short, 'y-tick').map((e) => Number(e.attrs.y))),
  );
  assert.ok(topOf(long) > 40);
});

test('deterministic: the same input gives the same string', () => {
  const pts = samplePoints(400, 3);
  const a = scatterSvg(pts, { ...opts, width: 500, height: 400 });
  const b = scatterSvg(
    pts.map((p) => ({ ...p })),
    { ...opts, width: 500, height: 400 },
  );
  assert.is(a, b);
  assert.is(scatterSvg(pts, { ...opts, logX: true }), scatterSvg(pts, { ...opts, logX: true }));
  assert.is(parseXml(a).attrs.viewBox, '0 0 500 400');
});

test('all x equal: the range is padded and the points sit in the middle', () => {
  const svg = parseXml(
    scatterSvg(
      [
        { x: 3, y: 1 },
        { x: 3, y: 2 },
        { x: 3, y: 2.5 },
      ],
      { ...opts, width: 400, height: 300 },
    ),
  );
  const cs = circles(svg);
  assert.is(cs.length, 3);
  const xTicks = tickValues(svg, 'x-tick');
  assert.ok(xTicks.length >= 2 && xTicks.includes(3), xTicks.join(' '));
  const xs = byClass(svg, 'x-tick').map((e) => Number(e.attrs.x));
  const mid = (Math.min(...xs) + Math.max(...xs)) / 2;
  for (const c of cs) assert.ok(Math.abs(Number(c.attrs.cx) - mid) < 1, `${c.attrs.cx} vs ${mid}`);
  // A single point, at zero, on a log axis too.
  for (const [p, logX] of [
    [{ x: 0, y: 0 }, false],
    [{ x: 1e6, y: 70 }, true],
  ] as const) {
    const one = parseXml(scatterSvg([p], { ...opts, logX }));
    assert.is(circles(one).length, 1);
    assert.ok(tickValues(one, 'x-tick').length >= 1 && tickValues(one, 'y-tick').length >= 1);
    for (const c of circles(one)) assert.ok(Number.isFinite(Number(c.attrs.cx)) && Number.isFinite(Number(c.attrs.cy)));
  }
});

test('empty input (or nothing finite) gives an SVG saying "no data"', () => {
  const svg = parseXml(scatterSvg([], opts));
  assert.is(svg.name, 'svg');
  assert.is(circles(svg).length, 0);
  assert.is(byClass(svg, 'no-data')[0]!.text, 'no data');
  assert.is(textOf(byClass(svg, 'title')[0]!), opts.title);
  const nan = parseXml(
    scatterSvg(
      [
        { x: NaN, y: 1 },
        { x: 2, y: Infinity },
      ],
      opts,
    ),
  );
  assert.is(byClass(nan, 'no-data')[0]!.text, 'no data');
  assert.is(byClass(nan, 'subtitle')[0]!.text, '2 non-finite scores omitted');
});

test('invalid width or height is rejected', () => {
  assert.throws(() => scatterSvg([], { ...opts, width: 0 }), /width/);
  assert.throws(() => scatterSvg([], { ...opts, height: NaN }), /width/);
});

test.run();
