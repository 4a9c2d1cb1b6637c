// Turns rendered vector-tile features into label descriptors (which text, where). Pure; the map
// page feeds it from queryRenderedFeatures after each move, and layers/labels.ts draws the result.
import type { Geometry } from 'geojson';
import { labelAnchor, polygonsOf, pxPerDegreeLon, type LonLat } from './geometry.js';

export type LabelKind = 'street' | 'community' | 'road' | 'grid' | 'cluster';

export type Label = { id: string; kind: LabelKind; position: LonLat; text: string; major?: string };

/** The part of a maplibre feature the label code reads. */
export type FeatureLike = { geometry: Geometry; properties: Record<string, unknown> | null };

/** Zoom bands for each kind of label: streets when zoomed out, then communities, then grid codes.
 * Bands overlap; where they do, declutter() keeps the higher-priority label. Cluster counts show
 * wherever the server sends clusters. */
export const LABEL_ZOOMS: Record<LabelKind, [min: number, max: number]> = {
  street: [0, 15],
  community: [14.5, 16.5],
  road: [15, 99], // road names at field zoom (the inspector on foot; basemap tiles' `roads` layer)
  grid: [16, 99],
  cluster: [0, 99],
};

/** Declutter order: earlier kinds win a collision. */
export const LABEL_PRIORITY: readonly LabelKind[] = ['street', 'community', 'road', 'grid', 'cluster'];

/** Text size of each kind, in CSS pixels (layers/labels.ts draws with these). */
export const LABEL_SIZE: Record<LabelKind, number> = { street: 15, community: 12, road: 12, grid: 11, cluster: 11 };

/**
 * How a screen scales its labels: `scale` multiplies every size (the wall: its type scale, 2 at 3840 px wide) after
 * `min_px` raised the small ones (the wall: no text under its minimum, 15 px at 1920). The default: LABEL_SIZE as is.
 */
export type LabelScale = { scale: number; min_px: number };
export const NO_LABEL_SCALE: LabelScale = { scale: 1, min_px: 0 };

/** A label kind's text size in CSS pixels under `s`. */
export function labelSize(kind: LabelKind, s: LabelScale = NO_LABEL_SCALE): number {
  return Math.max(LABEL_SIZE[kind], s.min_px) * s.scale;
}

export function labelsVisibleAt(kind: LabelKind, zoom: number): boolean {
  const [min, max] = LABEL_ZOOMS[kind];
  return zoom >= min && zoom < max;
}

/** Monospace width budget: about this many pixels per digit at the grid label size. */
const PX_PER_DIGIT = 7;

/**
 * What to write in a unit grid `widthPx` wide on screen: the full 15-digit code when it fits,
 * else its 3-digit sequence (the community is then named by the outline around it), else nothing.
 * @example gridLabelText('110101001001007', 140) // '110101001001007'
 * @example gridLabelText('110101001001007', 40)  // '007'
 */
export function gridLabelText(code: string, widthPx: number, sizeRatio = 1): string {
  const px = PX_PER_DIGIT * sizeRatio;
  if (widthPx >= code.length * px + 8) return code;
  if (widthPx >= 3 * px + 6) return code.slice(-3);
  return '';
}

function propString(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/** Groups polygon pieces by a property (the code) and places one label per group. */
function anchorsBy(features: readonly FeatureLike[], key: string) {
  const groups = new Map<string, { pieces: ReturnType<typeof polygonsOf>; props: Record<string, unknown> }>();
  for (const f of features) {
    const props = f.properties ?? {};
    const id = propString(props[key]);
    if (!id) continue;
    const g = groups.get(id) ?? { pieces: [], props };
    g.pieces.push(...polygonsOf(f.geometry));
    groups.set(id, g);
  }
  const out: { id: string; position: LonLat; widthDeg: number; props: Record<string, unknown> }[] = [];
  for (const [id, g] of groups) {
    const a = labelAnchor(g.pieces);
    if (a) out.push({ id, position: a.position, widthDeg: a.box[2] - a.box[0], props: g.props });
  }
  return out.sort((p, q) => p.id.localeCompare(q.id));
}

/** Grid code labels for the unit-grid polygons on screen (aggregated community polygons are skipped). */
export function gridLabels(features: readonly FeatureLike[], zoom: number, s: LabelScale = NO_LABEL_SCALE): Label[] {
  const ratio = labelSize('grid', s) / LABEL_SIZE.grid;
  const unit = features.filter((f) => !f.properties?.aggregated);
  const px = pxPerDegreeLon(zoom);
  const out: Label[] = [];
  for (const a of anchorsBy(unit, 'code')) {
    const text = gridLabelText(a.id, a.widthDeg * px, ratio);
    if (text) out.push({ id: `grid:${a.id}`, kind: 'grid', position: a.position, text });
  }
  return out;
}

/**
 * A community's name as a map label: without the committee suffix (居委会 / 村委会), as city maps print it.
 * @example shortRegionName('多福巷社区居委会') // '多福巷社区'
 */
export function shortRegionName(name: string): string {
  const short = name.replace(/(居民委员会|村民委员会|居委会|村委会)$/, '');
  return short || name;
}

/** Name labels for street or community polygons. */
export function regionLabels(features: readonly FeatureLike[], kind: 'street' | 'community'): Label[] {
  return anchorsBy(features, 'code')
    .filter((a) => propString(a.props.name))
    .map((a) => ({ id: `${kind}:${a.id}`, kind, position: a.position, text: shortRegionName(propString(a.props.name)) }));
}

/** The point halfway along a line (by length in degrees, good enough within one tile). */
function lineMiddle(coords: readonly LonLat[]): LonLat | null {
  if (!coords.length) return null;
  const seg = coords.slice(1).map((p, i) => Math.hypot(p[0] - coords[i][0], p[1] - coords[i][1]));
  let half = seg.reduce((a, b) => a + b, 0) / 2;
  for (let i = 0; i < seg.length; i++) {
    if (half <= seg[i] && seg[i] > 0) {
      const f = half / seg[i];
      return [coords[i][0] + (coords[i + 1][0] - coords[i][0]) * f, coords[i][1] + (coords[i + 1][1] - coords[i][1]) * f];
    }
    half -= seg[i];
  }
  return coords[0];
}

/**
 * Road and lane names (basemap tiles' `roads` layer, property `name`): one label at the middle of each rendered
 * line piece; declutter() then drops those that collide, so a long road is named a few times, not on every tile.
 */
export function roadLabels(features: readonly FeatureLike[]): Label[] {
  const out: Label[] = [];
  const seen = new Set<string>();
  for (const f of features) {
    const name = propString(f.properties?.name);
    if (!name) continue;
    const g = f.geometry;
    const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
    for (const line of lines) {
      const m = lineMiddle(line as LonLat[]);
      if (!m) continue;
      const id = `road:${name}:${m[0].toFixed(5)},${m[1].toFixed(5)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ id, kind: 'road', position: m, text: name });
    }
  }
  return out;
}

/** Compact counts: 7, 86, 1.2k, 35k. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

/** Count labels for component clusters (points with `cluster` = true and a `count`). */
export function clusterLabels(features: readonly FeatureLike[]): Label[] {
  const seen = new Set<string>();
  const out: Label[] = [];
  for (const f of features) {
    const p = f.properties ?? {};
    if (!p.cluster || f.geometry.type !== 'Point') continue;
    const count = Number(p.count);
    if (!Number.isFinite(count) || count < 2) continue;
    const [lon, lat] = f.geometry.coordinates;
    const id = `cluster:${lon.toFixed(6)},${lat.toFixed(6)}`;
    if (seen.has(id)) continue; // the same cluster can sit in the buffer of two tiles
    seen.add(id);
    out.push({ id, kind: 'cluster', position: [lon, lat], text: formatCount(count), major: propString(p.major_code) });
  }
  return out;
}

/** Approximate on-screen box of a label: CJK glyphs are about one em wide, Latin and digits about 0.62 em. */
export function labelBoxSize(text: string, size: number): [width: number, height: number] {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : 0.62;
  return [em * size, size * 1.25];
}

export type Projector = (p: LonLat) => [x: number, y: number];

/**
 * Drops labels that would overlap a label of higher priority (LABEL_PRIORITY, then input order), and
 * labels whose anchor is off screen. Greedy, like a map renderer's placement pass, without rotation.
 */
export function declutter(labels: readonly Label[], project: Projector, viewport: { width: number; height: number }, padding = 4, s: LabelScale = NO_LABEL_SCALE): Label[] {
  const rank = (l: Label) => LABEL_PRIORITY.indexOf(l.kind);
  const ordered = labels.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i);
  const placed: [number, number, number, number][] = [];
  const kept: Label[] = [];
  for (const { l } of ordered) {
    const [x, y] = project(l.position);
    if (!(x >= 0 && y >= 0 && x <= viewport.width && y <= viewport.height)) continue;
    const [w, h] = labelBoxSize(l.text, labelSize(l.kind, s));
    const box: [number, number, number, number] = [x - w / 2 - padding, y - h / 2 - padding, x + w / 2 + padding, y + h / 2 + padding];
    if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
    placed.push(box);
    kept.push(l);
  }
  return kept;
}
