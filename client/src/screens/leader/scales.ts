// Colour scales and axes of the leader screen: quantile classes for counts and densities, a diverging scale around
// zero for the change against the previous period, the Gi* hot-spot classes, grade colours, nice chart ticks. Pure.
import type { Grade, Hotspot } from '../../api/leader.js';
import type { Rgba } from '../../map/colors.js';

/** Sequential ramp for counts and densities on the dark map: deep teal → yellow → red (5 classes). */
export const SEQUENTIAL = ['#1d4e63', '#2f8c8a', '#a5c85a', '#f5b335', '#f0563a'] as const;
/** Areas with no case in the period. */
export const ZERO_COLOR = '#162232';
/** Diverging ramp for change: fewer cases (blue) ← unchanged (grey) → more cases (red), 7 classes. */
export const DIVERGING = ['#2166ac', '#4393c3', '#92c5de', '#3a4556', '#f4a582', '#d6604d', '#b2182b'] as const;

/** Getis–Ord Gi* classes (z ≥ 2.58 / 1.96 / 1.65 two-sided), most significant first. */
export const HOTSPOT_CLASSES: readonly Hotspot[] = ['hot_99', 'hot_95', 'hot_90', 'none', 'cold_90', 'cold_95', 'cold_99'];
export const HOTSPOT_COLORS: Record<Hotspot, string> = {
  hot_99: '#d7191c', hot_95: '#f07c4a', hot_90: '#fec980', none: '#2a3546', cold_90: '#a7d3e8', cold_95: '#5aa2cf', cold_99: '#2c7bb6',
};

export const GRADE_COLORS: Record<Grade, string> = { A: '#3ddc84', B: '#38d0e0', C: '#ffc53d', D: '#ff8c1a', E: '#ff4d4f' };

/**
 * Class breaks (upper bounds of the first n − 1 classes) at the quantiles of the positive values; equal values are
 * merged, so fewer breaks may come back. Zero and missing values are classed apart (ZERO_COLOR).
 * @example quantileBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) // [2, 4, 6, 8]
 */
export function quantileBreaks(values: readonly (number | null | undefined)[], n: number = SEQUENTIAL.length): number[] {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (!v.length) return [];
  const out: number[] = [];
  for (let i = 1; i < n; i++) {
    const q = v[Math.min(v.length - 1, Math.ceil((i / n) * v.length) - 1)];
    if (q < v[v.length - 1] && (out.length === 0 || q > out[out.length - 1])) out.push(q);
  }
  return out;
}

/** The class of `value` for `breaks` (0-based), or −1 for zero / no value. A value equal to a break is in its class. */
export function classOf(value: number | null | undefined, breaks: readonly number[]): number {
  if (value == null || !Number.isFinite(value) || value <= 0) return -1;
  const i = breaks.findIndex((b) => value <= b);
  return i === -1 ? breaks.length : i;
}

/** The sequential colour of a value: classes spread over the ramp so that 2 classes still use its two ends. */
export function sequentialColor(value: number | null | undefined, breaks: readonly number[]): string {
  const c = classOf(value, breaks);
  if (c < 0) return ZERO_COLOR;
  const classes = breaks.length + 1;
  const idx = classes === 1 ? SEQUENTIAL.length - 1 : Math.round((c / (classes - 1)) * (SEQUENTIAL.length - 1));
  return SEQUENTIAL[idx];
}

/**
 * The diverging class of a change (0…6, 3 = no change): thirds of the largest absolute change either side.
 * @example divergingIndex(-10, 10) // 0
 */
export function divergingIndex(change: number | null | undefined, maxAbs: number): number {
  const mid = (DIVERGING.length - 1) / 2;
  if (change == null || !Number.isFinite(change) || change === 0 || maxAbs <= 0) return mid;
  const step = Math.min(mid, Math.max(1, Math.ceil((Math.abs(change) / maxAbs) * mid)));
  return change > 0 ? mid + step : mid - step;
}

export function divergingColor(change: number | null | undefined, maxAbs: number): string {
  return DIVERGING[divergingIndex(change, maxAbs)];
}

/** The edges of the diverging classes for the legend: [-max, -2/3, -1/3, 0, 1/3, 2/3, max] × maxAbs, rounded. */
export function divergingEdges(maxAbs: number): number[] {
  const mid = (DIVERGING.length - 1) / 2;
  return Array.from({ length: mid + 1 }, (_, i) => Math.round((maxAbs * i) / mid));
}

/** The grade's colour; no grade (every indicator without data) is grey. */
export function gradeColor(g: Grade | null | undefined): string { return g ? GRADE_COLORS[g] : '#6f819a'; }

/** '#rrggbb' + alpha → deck.gl colour. */
export function rgba(hex: string, alpha = 255): Rgba {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`Not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha];
}

/**
 * Round axis ticks from 0 to at least `max`, about `count` of them, on steps of 1, 2 or 5 × 10^k.
 * @example niceTicks(87, 4) // [0, 25, 50, 75, 100]
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
  if (ticks[ticks.length - 1] < max) ticks.push(+(ticks[ticks.length - 1] + step).toFixed(10));
  return ticks.map((t) => (Number.isInteger(step) ? Math.round(t) : t));
}
