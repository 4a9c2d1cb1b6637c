// The monthly report's pure parts: its URL parameters, the print palette of the choropleth, and the geometry of the
// SVG charts (trend lines, top-class bars). No React, no fetch.

export type ReportParams = { month: string; region: string | null; lang: 'zh' | 'en' | null; print: boolean };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `s` is a month written YYYY-MM. @example isMonth('2026-13') // false */
export function isMonth(s: string | null | undefined): s is string { return !!s && MONTH.test(s); }

/** The month before the one containing `today` (YYYY-MM-DD): the default report month. @example previousMonth('2026-01-15') // '2025-12' */
export function previousMonth(today: string): string {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** First and last day of a month. @example monthRange('2024-02') // { from: '2024-02-01', to: '2024-02-29' } */
export function monthRange(month: string): { from: string; to: string } {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The report's parameters from a query string; a missing or malformed month becomes the month before `today`. */
export function parseReportParams(search: string, today: string): ReportParams & { month_invalid: boolean } {
  const q = new URLSearchParams(search);
  const raw = q.get('month');
  const region = q.get('region');
  const lang = q.get('lang');
  return {
    month: isMonth(raw) ? raw : previousMonth(today),
    month_invalid: raw !== null && !isMonth(raw),
    region: region && /^[0-9]{6,15}$/.test(region) ? region : null,
    lang: lang === 'zh' || lang === 'en' ? lang : null,
    print: q.get('print') === '1',
  };
}

/** The statistics level the report's map draws for a scope: communities for the district or a street, grids below. */
export function mapLevel(region: string | null): 'community' | 'grid' {
  return region && region.length >= 12 ? 'grid' : 'community';
}

/** Light sequential ramp for paper (ColorBrewer Oranges), lightest first; `PRINT_ZERO` for no case. */
export const PRINT_RAMP = ['#fdd0a2', '#fdae6b', '#fd8d3c', '#e6550d', '#a63603'] as const;
export const PRINT_ZERO = '#f4f4f2';

/**
 * Upper bounds of the first classes at quantiles of the positive values (equal bounds merged).
 * @example printBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) // [2, 4, 6, 8]
 */
export function printBreaks(values: readonly (number | null | undefined)[], n = PRINT_RAMP.length): number[] {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < n && v.length; i++) {
    const q = v[Math.min(v.length - 1, Math.ceil((i / n) * v.length) - 1)];
    if (q < v[v.length - 1] && (!out.length || q > out[out.length - 1])) out.push(q);
  }
  return out;
}

/** The colour of a value for `breaks`: zero or none is PRINT_ZERO; classes spread over the whole ramp. */
export function printColor(value: number | null | undefined, breaks: readonly number[]): string {
  if (value == null || !Number.isFinite(value) || value <= 0) return PRINT_ZERO;
  const i = breaks.findIndex((b) => value <= b);
  const c = i === -1 ? breaks.length : i;
  const classes = breaks.length + 1;
  return PRINT_RAMP[classes === 1 ? PRINT_RAMP.length - 1 : Math.round((c / (classes - 1)) * (PRINT_RAMP.length - 1))];
}

/** Legend entries of `breaks` over positive integers: "1–3", "4–7", "≥ 8"; the zero class first. */
export function legendOf(breaks: readonly number[], max: number): { color: string; label: string }[] {
  const out = [{ color: PRINT_ZERO, label: '0' }];
  if (max <= 0) return out;
  let lo = 1;
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  for (const b of breaks) {
    out.push({ color: printColor(b, breaks), label: lo >= b ? fmt(b) : `${fmt(lo)}–${fmt(b)}` });
    lo = Number.isInteger(b) ? b + 1 : b;
  }
  out.push({ color: printColor(max, breaks), label: lo >= max ? fmt(max) : `${fmt(lo)}–${fmt(max)}` });
  return out;
}

/**
 * Round tick values covering [0, max], about `count` of them.
 * @example ticks(47) // [0, 10, 20, 30, 40, 50]
 */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** An SVG polyline path of values over an x range: points spread evenly, y measured down from `top + height`. */
export function linePath(values: readonly number[], box: { left: number; top: number; width: number; height: number }, yMax: number): string {
  if (!values.length || yMax <= 0) return '';
  const dx = values.length > 1 ? box.width / (values.length - 1) : 0;
  return values.map((v, i) => `${i ? 'L' : 'M'}${(box.left + i * dx).toFixed(1)},${(box.top + box.height - (v / yMax) * box.height).toFixed(1)}`).join('');
}

/** The bbox [minLon, minLat, maxLon, maxLat] of GeoJSON geometries (Polygon, MultiPolygon), or null when empty. */
export function bboxOf(geoms: readonly ({ type: string; coordinates: unknown } | null)[]): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      const [x, y] = c as number[];
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
      return;
    }
    for (const x of c) visit(x);
  };
  for (const g of geoms) if (g) visit(g.coordinates);
  return b;
}
