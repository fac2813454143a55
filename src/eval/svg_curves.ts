/**
 * Standalone SVG line plots of mean curves with a ±std band, one line per series, in the house style of
 * svg_scatter.ts (fonts, grid, ticks, escaping): NAS papers' search curves (best-so-far accuracy against trained
 * architectures). Pure TypeScript, deterministic output.
 */
import { escapeXml, niceTicks } from './svg_scatter.js';

export interface CurveSeries {
  label: string;
  /** x[i], mean[i], std[i]: one point of the curve. */
  x: readonly number[];
  mean: readonly number[];
  std: readonly number[];
  colour: string;
  /** Dashed line (e.g. the plain algorithm beside its assisted variant). */
  dashed?: boolean;
}

export interface CurvesOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The y range drawn; what falls outside is clipped (default: every band whole). */
  yMin?: number;
  yMax?: number;
  /** A note under the title (e.g. "mean ± std over 500 runs"). */
  subtitle?: string;
  width?: number;
  height?: number;
}

const FONT = 'Helvetica, Arial, sans-serif';

/** Ten distinguishable colours (matplotlib's tab10), for callers that have no palette of their own. */
export const CURVE_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function fmt(v: number): string {
  const s = v.toFixed(2);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** The plot: bands first (semi-transparent), then the mean lines, then axes and a legend at the right. */
export function curvesSvg(series: readonly CurveSeries[], options: CurvesOptions): string {
  const width = options.width ?? 860,
    height = options.height ?? 520;
  for (const s of series)
    if (s.x.length !== s.mean.length || s.x.length !== s.std.length || s.x.length === 0)
      throw new RangeError(`curvesSvg: series ${JSON.stringify(s.label)} needs as many x, mean and std values, at least one`);
  if (series.length === 0) throw new RangeError('curvesSvg: no series');
  const xs = series.flatMap((s) => s.x);
  const xlo = Math.min(...xs),
    xhi = Math.max(...xs);
  const ylo = options.yMin ?? Math.min(...series.flatMap((s) => s.mean.map((m, i) => m - s.std[i]!)));
  const yhi = options.yMax ?? Math.max(...series.flatMap((s) => s.mean.map((m, i) => m + s.std[i]!)));
  const xTicks = niceTicks(xlo, xhi, 6),
    yTicks = niceTicks(ylo, yhi, 6);
  const legendWidth = 24 + Math.max(...series.map((s) => [...s.label].length)) * 7;
  const left = 64,
    right = 16 + legendWidth,
    top = options.subtitle ? 56 : 44,
    bottom = 52;
  const pw = width - left - right,
    ph = height - top - bottom;
  const X = (v: number) => left + ((v - xlo) / (xhi - xlo || 1)) * pw;
  const Y = (v: number) => top + ph - ((v - ylo) / (yhi - ylo || 1)) * ph;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
  );
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<defs><clipPath id="plot-area"><rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(pw)}" height="${fmt(ph)}"/></clipPath></defs>`,
  );
  out.push(
    `<text class="title" x="${fmt(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="#222222">${escapeXml(options.title)}</text>`,
  );
  if (options.subtitle)
    out.push(
      `<text class="subtitle" x="${fmt(width / 2)}" y="42" text-anchor="middle" font-size="11" fill="#777777">${escapeXml(options.subtitle)}</text>`,
    );
  out.push('<g class="grid" stroke="#e6e6e6" stroke-width="1">');
  for (const t of xTicks) out.push(`<line x1="${fmt(X(t.value))}" y1="${fmt(top)}" x2="${fmt(X(t.value))}" y2="${fmt(top + ph)}"/>`);
  for (const t of yTicks) out.push(`<line x1="${fmt(left)}" y1="${fmt(Y(t.value))}" x2="${fmt(left + pw)}" y2="${fmt(Y(t.value))}"/>`);
  out.push('</g>');
  out.push('<g class="bands" clip-path="url(#plot-area)">');
  for (const s of series) {
    const upper = s.x.map((x, i) => `${fmt(X(x))},${fmt(Y(s.mean[i]! + s.std[i]!))}`);
    const lower = s.x.map((x, i) => `${fmt(X(x))},${fmt(Y(s.mean[i]! - s.std[i]!))}`).reverse();
    out.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${s.colour}" fill-opacity="0.10" stroke="none"/>`);
  }
  out.push('</g>');
  out.push('<g class="lines" clip-path="url(#plot-area)" fill="none" stroke-width="1.8">');
  for (const s of series) {
    const points = s.x.map((x, i) => `${fmt(X(x))},${fmt(Y(s.mean[i]!))}`).join(' ');
    out.push(`<polyline class="mean" points="${points}" stroke="${s.colour}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  }
  out.push('</g>');
  out.push('<g class="axes" stroke="#333333" stroke-width="1" fill="none">');
  out.push(`<line x1="${fmt(left)}" y1="${fmt(top + ph)}" x2="${fmt(left + pw)}" y2="${fmt(top + ph)}"/>`);
  out.push(`<line x1="${fmt(left)}" y1="${fmt(top)}" x2="${fmt(left)}" y2="${fmt(top + ph)}"/>`);
  for (const t of xTicks)
    out.push(`<line x1="${fmt(X(t.value))}" y1="${fmt(top + ph)}" x2="${fmt(X(t.value))}" y2="${fmt(top + ph + 5)}"/>`);
  for (const t of yTicks) out.push(`<line x1="${fmt(left - 5)}" y1="${fmt(Y(t.value))}" x2="${fmt(left)}" y2="${fmt(Y(t.value))}"/>`);
  out.push('</g>');
  out.push('<g class="tick-labels" font-size="11" fill="#333333">');
  for (const t of xTicks)
    out.push(`<text class="x-tick" x="${fmt(X(t.value))}" y="${fmt(top + ph + 18)}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  for (const t of yTicks)
    out.push(`<text class="y-tick" x="${fmt(left - 8)}" y="${fmt(Y(t.value) + 4)}" text-anchor="end">${escapeXml(t.label)}</text>`);
  out.push('</g>');
  out.push(
    `<text class="x-label" x="${fmt(left + pw / 2)}" y="${fmt(height - 12)}" text-anchor="middle" font-size="13" fill="#222222">${escapeXml(options.xLabel)}</text>`,
  );
  const yl = fmt(20),
    ym = fmt(top + ph / 2);
  out.push(
    `<text class="y-label" x="${yl}" y="${ym}" transform="rotate(-90 ${yl} ${ym})" text-anchor="middle" dominant-baseline="middle" font-size="13" fill="#222222">${escapeXml(options.yLabel)}</text>`,
  );
  out.push('<g class="legend" font-size="12" fill="#222222">');
  series.forEach((s, i) => {
    const y = top + 8 + i * 18,
      x = left + pw + 14;
    out.push(
      `<line x1="${fmt(x)}" y1="${fmt(y)}" x2="${fmt(x + 18)}" y2="${fmt(y)}" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    out.push(`<text x="${fmt(x + 24)}" y="${fmt(y + 4)}">${escapeXml(s.label)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
