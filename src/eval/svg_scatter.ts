/**
 * Standalone SVG scatter plots of proxy score vs accuracy, in the style of the GradSign paper's Figure 2.
 *
 * Pure TypeScript (no dependencies, no Node built-ins) so it runs in browsers, Deno and Node alike. Output is
 * deterministic: the same input gives the same string (coordinates are written with fixed decimals).
 */

export interface ScatterPoint {
  x: number;
  y: number;
}

export interface ScatterOptions {
  /** Shown centred above the plot, e.g. "gradsign vs CIFAR-10 test accuracy — ρ 0.76, τ 0.58, n = 1000". */
  title: string;
  xLabel: string;
  yLabel: string;
  /** Pixels; default 640. */
  width?: number;
  /** Pixels; default 480. */
  height?: number;
  /** Logarithmic x axis (ticks at powers of ten). Points with x ≤ 0 are then omitted and counted. */
  logX?: boolean;
}

/** A tick: its value, its position in axis units (log10 of the value on a log axis), its label. */
export interface Tick {
  value: number;
  label: string;
}

const FONT = 'Helvetica, Arial, sans-serif';
const POINT_COLOUR = '#1f77b4';
const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
};
const MINUS = '−';

/** Escapes text for XML character data and attribute values, and drops characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return s
    .replace(
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Fixed-decimal number for coordinates; never "-0.00". */
function fmt(v: number, decimals = 2): string {
  const s = v.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Smallest number of decimals (≤ 20) that writes `step` exactly, e.g. 0.25 → 2, 20 → 0. */
function decimalsOf(step: number): number {
  for (let d = 0; d < 20; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled))) return d;
  }
  return 20;
}

/** floor(log10(|v|)), exact at powers of ten despite floating-point log10. */
function exponentOf(v: number): number {
  const a = Math.abs(v);
  let e = Math.floor(Math.log10(a));
  if (10 ** e > a * (1 + 1e-12)) e--;
  else if (10 ** (e + 1) <= a * (1 + 1e-12)) e++;
  return e;
}

function superscript(n: number): string {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

/** `m×10ᵉ` with the shortest mantissa (trailing zeros dropped); `10ᵉ` when `bare` and the mantissa is 1. */
function scientific(v: number, bare: boolean): string {
  if (v === 0) return '0';
  const e = exponentOf(v);
  const m = Number((v / 10 ** e).toPrecision(12));
  const sign = m < 0 ? MINUS : '';
  const mant = String(Math.abs(m));
  if (bare && mant === '1') return `${sign}10${superscript(e)}`;
  return `${sign}${mant}×10${superscript(e)}`;
}

/** Labels for linear ticks: fixed decimals of the step, or scientific when the values are ≥ 1e5 or < 1e-3. */
function linearLabels(values: number[], step: number): string[] {
  const maxAbs = Math.max(...values.map(Math.abs));
  if (maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3)) return values.map((v) => scientific(v, false));
  const d = decimalsOf(step);
  return values.map((v) => {
    const s = v.toFixed(d);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace(/^-/, MINUS);
  });
}

/** Half the width of [lo, hi], computed without overflowing to Infinity for extreme values. */
function halfRange(lo: number, hi: number): number {
  return hi / 2 - lo / 2;
}

/**
 * About `target` round ticks (steps 1, 2, 2.5 or 5 × 10ᵏ) inside [lo, hi]. For lo = hi, the one value.
 * Tick values are exact decimal roundings (e.g. 0.3, not 0.30000000000000004).
 */
export function niceTicks(lo: number, hi: number, target = 5): Tick[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi < lo) return [];
  if (hi === lo) return [{ value: lo, label: linearLabels([lo], lo === 0 ? 1 : 10 ** exponentOf(lo))[0]! }];
  const base = 10 ** Math.floor(Math.log10(halfRange(lo, hi)) + Math.log10(2));
  let best: { step: number; score: number } | undefined;
  for (const f of [5, 2, 1, 0.5, 0.25, 0.2, 0.1, 0.05]) {
    const step = base * f;
    const count = Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
    // Closest to the target, steps of 2.5 only when clearly better; on a tie the larger step (fewer labels) wins.
    const score = Math.abs(count - target) + (f === 0.25 ? 1.01 : 0);
    if (count >= 2 && (best === undefined || score < best.score)) best = { step, score };
  }
  const step = best!.step;
  // Significant digits a tick can need: from the largest magnitude down to the step's last digit.
  const digitsBelow = decimalsOf(step / 10 ** exponentOf(step));
  const values: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i <= Math.floor(hi / step + 1e-9); i++) {
    let v = i * step;
    if (v !== 0) {
      const sig = exponentOf(v) - exponentOf(step) + 1 + digitsBelow;
      v = Number(v.toPrecision(Math.min(17, Math.max(1, sig))));
    }
    values.push(v === 0 ? 0 : v); // no -0
  }
  const labels = linearLabels(values, step);
  return values.map((value, i) => ({ value, label: labels[i]! }));
}

/**
 * Ticks for a log axis over [lo, hi] (both > 0): powers of ten,
 * every k-th (multiples of k) when there are many decades;
 * with 2× and 5× ticks added when fewer than three powers fall inside; linear nice ticks for a narrow range.
 */
export function logTicks(lo: number, hi: number): { major: Tick[]; minor: number[] } {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) return { major: [], minor: [] };
  const e0 = Math.ceil(Math.log10(lo) - 1e-12),
    e1 = Math.floor(Math.log10(hi) + 1e-12);
  const inside = (v: number) => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
  const every = Math.max(1, Math.ceil((e1 - e0 + 1) / 7));
  let values: number[] = [];
  for (let e = e0; e <= e1; e++) if (((e % every) + every) % every === 0) values.push(Number(`1e${e}`));
  if (values.length < 3) {
    values = [];
    for (let e = e0 - 1; e <= e1; e++)
      for (const m of [1, 2, 5]) {
        const v = Number(`${m}e${e}`);
        if (inside(v)) values.push(v);
      }
  }
  if (values.length < 2) {
    // Less than about half a decade: round linear values, placed on the log axis.
    return { major: niceTicks(lo, hi), minor: [] };
  }
  const minor: number[] = [];
  if (e1 - e0 <= 6) {
    for (let e = e0 - 1; e <= e1; e++)
      for (let m = 2; m <= 9; m++) {
        const v = Number(`${m}e${e}`);
        if (inside(v) && !values.includes(v)) minor.push(v);
      }
  }
  // 0.01 … 10000 read better plainly; otherwise every label is written as a power of ten.
  const plain = values.every((v) => v >= 0.01 && v <= 1e4);
  return { major: values.map((v) => ({ value: v, label: plain ? String(v) : scientific(v, true) })), minor };
}

interface Axis {
  /** Domain in axis units (log10 for a log axis). */
  d0: number;
  d1: number;
  log: boolean;
  ticks: Tick[];
  minor: number[];
}

/** Padded domain with ticks for data in [lo, hi]. */
function makeAxis(lo: number, hi: number, log: boolean): Axis {
  let a = log ? Math.log10(lo) : lo,
    b = log ? Math.log10(hi) : hi;
  if (a === b) {
    const pad = log ? 0.5 : a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  } else {
    const pad = halfRange(a, b) * 0.08; // 4 % of the range on each side
    a -= pad;
    b += pad;
  }
  a = Math.max(a, -Number.MAX_VALUE);
  b = Math.min(b, Number.MAX_VALUE);
  let ticks: Tick[],
    minor: number[] = [];
  if (log) {
    // Ticks within the data range, or within the padded domain when the data are a single value.
    const t = lo === hi ? logTicks(10 ** a, 10 ** b) : logTicks(lo, hi);
    ticks = t.major;
    minor = t.minor;
  } else {
    ticks = lo === hi ? niceTicks(a, b) : niceTicks(lo, hi);
  }
  return { d0: a, d1: b, log, ticks, minor };
}

/** Position in [0, 1] along the axis. */
function unit(axis: Axis, v: number): number {
  const u = axis.log ? Math.log10(v) : v;
  return halfRange(axis.d0, u) / halfRange(axis.d0, axis.d1);
}

function plural(k: number, one: string, many: string): string {
  return `${k} ${k === 1 ? one : many}`;
}

/** Rough text width in pixels for a sans-serif font. */
function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.6;
}

/**
 * A standalone SVG document: the points as small semi-transparent circles, axes with round ticks, axis labels and
 * the title. Points with a non-finite coordinate (and, with `logX`, x ≤ 0) are left out and counted in a subtitle.
 * With no points left to draw the plot says "no data".
 */
export function scatterSvg(points: readonly ScatterPoint[], options: ScatterOptions): string {
  const width = options.width ?? 640,
    height = options.height ?? 480;
  if (!(Number.isFinite(width) && width > 0 && Number.isFinite(height) && height > 0)) {
    throw new RangeError(`scatterSvg: width and height must be positive numbers, got ${width} × ${height}`);
  }
  const logX = options.logX === true;
  const kept: ScatterPoint[] = [];
  let nonFinite = 0,
    nonPositive = 0;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) nonFinite++;
    else if (logX && p.x <= 0) nonPositive++;
    else kept.push(p);
  }
  const notes: string[] = [];
  if (nonFinite > 0) notes.push(`${plural(nonFinite, 'non-finite score', 'non-finite scores')} omitted`);
  if (nonPositive > 0) notes.push(`${plural(nonPositive, 'non-positive score', 'non-positive scores')} omitted (log scale)`);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width, 0)}" height="${fmt(height, 0)}" ` +
      `viewBox="0 0 ${fmt(width, 0)} ${fmt(height, 0)}" font-family="${FONT}">`,
  );
  out.push(`<rect class="background" x="0" y="0" width="${fmt(width, 0)}" height="${fmt(height, 0)}" fill="#ffffff"/>`);
  // Long titles shrink (down to 12 px), then wrap onto two lines at the space nearest the middle (down to 10 px).
  const fitFont = (line: string, max: number) => Math.min(max, (15 * (width - 16)) / Math.max(1, textWidth(line, 15) * 1.05));
  let titleLines = [options.title];
  let titleSize = fitFont(options.title, 15);
  if (titleSize < 12) {
    const spaces = [...options.title.matchAll(/ /g)].map((m) => m.index!);
    if (spaces.length > 0) {
      const mid = options.title.length / 2;
      const cut = spaces.reduce((b, i) => (Math.abs(i - mid) < Math.abs(b - mid) ? i : b), spaces[0]!);
      titleLines = [options.title.slice(0, cut), options.title.slice(cut + 1)];
      titleSize = Math.min(...titleLines.map((l) => fitFont(l, 14)));
    }
  }
  titleSize = Math.max(10, titleSize);
  const lineHeight = Math.round(titleSize * 1.25);
  const titleHeight = (titleLines.length - 1) * lineHeight;
  const titleAttrs = `x="${fmt(width / 2)}" y="24" text-anchor="middle" font-size="${fmt(titleSize, 1)}" font-weight="bold" fill="#222222"`;
  if (titleLines.length === 1) out.push(`<text class="title" ${titleAttrs}>${escapeXml(options.title)}</text>`);
  else {
    const spans = titleLines.map(
      (l, i) => `<tspan x="${fmt(width / 2)}" dy="${i === 0 ? 0 : lineHeight}">${escapeXml(i === 0 ? l + ' ' : l)}</tspan>`,
    );
    out.push(`<text class="title" ${titleAttrs}>${spans.join('')}</text>`);
  }
  const top = (notes.length > 0 ? 56 : 44) + titleHeight;
  if (notes.length > 0) {
    out.push(
      `<text class="subtitle" x="${fmt(width / 2)}" y="${42 + titleHeight}" text-anchor="middle" font-size="11" fill="#777777">${escapeXml(notes.join(' · '))}</text>`,
    );
  }

  if (kept.length === 0) {
    out.push(
      `<rect class="frame" x="40" y="${top}" width="${fmt(Math.max(width - 80, 1))}" height="${fmt(Math.max(height - top - 40, 1))}" fill="none" stroke="#cccccc"/>`,
    );
    out.push(
      `<text class="no-data" x="${fmt(width / 2)}" y="${fmt((top + height - 40) / 2)}" text-anchor="middle" dominant-baseline="middle" font-size="16" fill="#999999">no data</text>`,
    );
    out.push('</svg>');
    return out.join('\n') + '\n';
  }

  let xlo = Infinity,
    xhi = -Infinity,
    ylo = Infinity,
    yhi = -Infinity;
  for (const p of kept) {
    if (p.x < xlo) xlo = p.x;
    if (p.x > xhi) xhi = p.x;
    if (p.y < ylo) ylo = p.y;
    if (p.y > yhi) yhi = p.y;
  }
  const xAxis = makeAxis(xlo, xhi, logX),
    yAxis = makeAxis(ylo, yhi, false);

  const tickFont = 11,
    labelFont = 13;
  const yTickWidth = Math.max(0, ...yAxis.ticks.map((t) => textWidth(t.label, tickFont)));
  const left = Math.round(Math.max(56, 14 + labelFont + 10 + yTickWidth + 10)),
    right = 24,
    bottom = 52;
  const pw = Math.max(width - left - right, 1),
    ph = Math.max(height - top - bottom, 1);
  const X = (v: number) => left + unit(xAxis, v) * pw;
  const Y = (v: number) => top + ph - unit(yAxis, v) * ph;
  const x0 = fmt(left),
    x1 = fmt(left + pw),
    y0 = fmt(top),
    y1 = fmt(top + ph);

  // Grid.
  out.push('<g class="grid" stroke="#e6e6e6" stroke-width="1">');
  for (const t of xAxis.ticks) out.push(`<line x1="${fmt(X(t.value))}" y1="${y0}" x2="${fmt(X(t.value))}" y2="${y1}"/>`);
  for (const t of yAxis.ticks) out.push(`<line x1="${x0}" y1="${fmt(Y(t.value))}" x2="${x1}" y2="${fmt(Y(t.value))}"/>`);
  out.push('</g>');

  // Points, in input order.
  out.push(
    `<g class="points" fill="${POINT_COLOUR}" fill-opacity="0.35" stroke="${POINT_COLOUR}" stroke-opacity="0.6" stroke-width="0.5">`,
  );
  for (const p of kept) out.push(`<circle cx="${fmt(X(p.x))}" cy="${fmt(Y(p.y))}" r="2.5"/>`);
  out.push('</g>');

  // Axes, ticks, tick labels.
  out.push('<g class="axes" stroke="#333333" stroke-width="1" fill="none">');
  out.push(`<line x1="${x0}" y1="${y1}" x2="${x1}" y2="${y1}"/>`);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}"/>`);
  for (const t of xAxis.ticks) out.push(`<line x1="${fmt(X(t.value))}" y1="${y1}" x2="${fmt(X(t.value))}" y2="${fmt(top + ph + 5)}"/>`);
  for (const v of xAxis.minor) out.push(`<line x1="${fmt(X(v))}" y1="${y1}" x2="${fmt(X(v))}" y2="${fmt(top + ph + 3)}"/>`);
  for (const t of yAxis.ticks) out.push(`<line x1="${fmt(left - 5)}" y1="${fmt(Y(t.value))}" x2="${x0}" y2="${fmt(Y(t.value))}"/>`);
  out.push('</g>');
  out.push(`<g class="tick-labels" font-size="${tickFont}" fill="#333333">`);
  for (const t of xAxis.ticks) {
    out.push(
      `<text class="x-tick" data-value="${t.value}" x="${fmt(X(t.value))}" y="${fmt(top + ph + 18)}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  }
  for (const t of yAxis.ticks) {
    out.push(
      `<text class="y-tick" data-value="${t.value}" x="${fmt(left - 8)}" y="${fmt(Y(t.value) + 4)}" text-anchor="end">${escapeXml(t.label)}</text>`,
    );
  }
  out.push('</g>');

  // Axis labels.
  const xLabel = escapeXml(options.xLabel) + (logX ? ' (log scale)' : '');
  out.push(
    `<text class="x-label" x="${fmt(left + pw / 2)}" y="${fmt(height - 12)}" text-anchor="middle" font-size="${labelFont}" fill="#222222">${xLabel}</text>`,
  );
  const yl = fmt(14 + labelFont / 2),
    ym = fmt(top + ph / 2);
  out.push(
    `<text class="y-label" x="${yl}" y="${ym}" transform="rotate(-90 ${yl} ${ym})" text-anchor="middle" dominant-baseline="middle" font-size="${labelFont}" fill="#222222">${escapeXml(options.yLabel)}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
