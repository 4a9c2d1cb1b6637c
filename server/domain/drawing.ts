// Unit-grid drawing (单元网格划分), the pure parts: parameters, how many parts a large cell is cut into, where an
// equal-area cut falls, which small cells merge with which, the numbering order (west→east, north→south), code
// allocation on a re-run, and the summary statistics. No I/O, no clock (docs/domain.md §1, docs/style.md §0).
import { gridCode } from './codes.js';
import { DomainError } from './errors.js';

/** Tunable numbers of the drawing; every area is in m² of the working (projected) CRS. */
export type DrawParams = {
  /** Area a grid aims at: the "万米" grid, 10,000 m². */
  target_area_m2: number;
  /** Cells smaller than this are slivers: merged into the neighbour of the same community sharing the longest edge. */
  min_area_m2: number;
  /** Cells larger than this are cut into round(area / target) near-equal parts. */
  max_area_m2: number;
  /**
   * Cells smaller than this (but not slivers) are merged into the neighbour sharing the longest edge when the merged
   * cell stays within max_area_m2: two small blocks across a lane become one grid. 0 turns it off.
   */
  consolidate_below_m2: number;
  /** Height of the numbering rows (metres); see numberingOrder. */
  row_height_m: number;
  /** Street centre-line vertices this close to the community boundary (metres) are snapped onto it. */
  snap_m: number;
  /** A new grid whose outline is within this Hausdorff distance (metres) of a current grid is the same grid. */
  same_geometry_m: number;
  /**
   * A redrawn grid covering more than this share of an ended grid, and covered by it by more than this share, takes
   * over the ended grid's code (a new version of the same grid). Must be ≥ 0.5 so the match is unique.
   */
  inherit_overlap: number;
  /**
   * Blocks: a street-bounded cell holding two or more block pieces of at least min_area_m2 is divided between them
   * (each block with the street space nearest to it), so railways, paths and walls between blocks become grid edges.
   */
  use_blocks: boolean;
};

export const DEFAULT_DRAW_PARAMS: Readonly<DrawParams> = Object.freeze({
  target_area_m2: 10_000,
  min_area_m2: 2_000,
  max_area_m2: 20_000,
  consolidate_below_m2: 5_000,
  row_height_m: 100,
  snap_m: 0.5,
  same_geometry_m: 0.05,
  inherit_overlap: 0.5,
  use_blocks: true,
});

/**
 * Checks and completes drawing parameters. Only target_area_m2 changes the other defaults: min = target / 5,
 * max = 2 × target, consolidate_below = target / 2, row height = √target.
 * @example drawParams({ target_area_m2: 5000 }).max_area_m2 // 10000
 */
export function drawParams(input: Partial<DrawParams> = {}): DrawParams {
  const target = input.target_area_m2 ?? DEFAULT_DRAW_PARAMS.target_area_m2;
  const p: DrawParams = {
    ...DEFAULT_DRAW_PARAMS,
    min_area_m2: target / 5,
    max_area_m2: target * 2,
    consolidate_below_m2: target / 2,
    row_height_m: Math.sqrt(target),
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    target_area_m2: target,
  };
  const bad: string[] = [];
  const positive = (k: keyof DrawParams) => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad.push(`${k} must be a positive number; got ${String(v)}`);
  };
  (['target_area_m2', 'min_area_m2', 'max_area_m2', 'row_height_m', 'snap_m', 'same_geometry_m'] as const).forEach(positive);
  if (!(p.consolidate_below_m2 >= 0)) bad.push(`consolidate_below_m2 must be ≥ 0; got ${p.consolidate_below_m2}`);
  if (!(p.min_area_m2 < p.target_area_m2 && p.target_area_m2 < p.max_area_m2)) {
    bad.push(`need min_area_m2 < target_area_m2 < max_area_m2; got ${p.min_area_m2}, ${p.target_area_m2}, ${p.max_area_m2}`);
  }
  if (p.min_area_m2 > p.target_area_m2 / 2) bad.push(`min_area_m2 must be at most half of target_area_m2, or halves of a cut cell would be slivers`);
  if (p.consolidate_below_m2 > p.target_area_m2) bad.push(`consolidate_below_m2 must not exceed target_area_m2`);
  if (!(p.inherit_overlap >= 0.5 && p.inherit_overlap <= 1)) bad.push(`inherit_overlap must be in [0.5, 1]; got ${p.inherit_overlap}`);
  if (bad.length) throw new DomainError('bad_request', `Invalid drawing parameters: ${bad.join('; ')}`, bad);
  return p;
}

/**
 * Parts a cell is cut into: 1 up to max_area_m2, else round(area / target), at least 2.
 * @example splitCount(45_000, drawParams()) // 5 (4.5 rounds up: parts of 9,000 m²)
 */
export function splitCount(area: number, p: Pick<DrawParams, 'target_area_m2' | 'max_area_m2'>): number {
  if (area <= p.max_area_m2) return 1;
  return Math.max(2, Math.round(area / p.target_area_m2));
}

/** How a cell to be cut into n parts is bisected: the first (lower-u) side gets floor(n/2) parts. */
export function bisect(n: number): [number, number] {
  const a = Math.floor(n / 2);
  return [a, n - a];
}

/** Polygon rings as GeoJSON: polygon → rings (first exterior) → [x, y]. */
export type Rings = number[][][];

/** Area of a ring's part with x ≤ t (Sutherland–Hodgman against one half-plane; exact for any simple ring). */
function ringAreaLeftOf(ring: number[][], t: number): number {
  const clipped: number[][] = [];
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % n];
    const ina = a[0] <= t;
    const inb = b[0] <= t;
    if (ina) clipped.push(a);
    if (ina !== inb) {
      const k = (t - a[0]) / (b[0] - a[0]);
      clipped.push([t, a[1] + k * (b[1] - a[1])]);
    }
  }
  let s = 0;
  for (let i = 0; i < clipped.length; i++) {
    const a = clipped[i];
    const b = clipped[(i + 1) % clipped.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** Area of polygons (exterior minus holes) on the side x ≤ t. */
export function areaLeftOf(polygons: readonly Rings[], t: number): number {
  let s = 0;
  for (const rings of polygons) rings.forEach((ring, i) => (s += (i === 0 ? 1 : -1) * ringAreaLeftOf(ring, t)));
  return s;
}

/**
 * The x at which a vertical cut leaves `fraction` of the polygons' area on its west (x ≤ t) side: bisection on
 * the monotone area function, to 1e-9 of the width. Coordinates are in the frame where the cut is vertical.
 * @example cutPosition([[[[0,0],[4,0],[4,1],[0,1],[0,0]]]], 0.25) // 1
 */
export function cutPosition(polygons: readonly Rings[], fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction must be in (0, 1); got ${fraction}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const rings of polygons) for (const [x] of rings[0]) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  const total = areaLeftOf(polygons, hi);
  const goal = total * fraction;
  const eps = (hi - lo) * 1e-9;
  while (hi - lo > eps) {
    const mid = (lo + hi) / 2;
    if (areaLeftOf(polygons, mid) < goal) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A cell that may merge, with its neighbours (best first: longest shared edge, then nearest). */
export type MergeCell = {
  id: number;
  area: number;
  /** Position (e.g. centroid): smaller cells go first, equal areas west to east, then south to north. */
  x?: number;
  y?: number;
  neighbours: readonly { id: number; area: number; shared: number; dist?: number }[];
};

/** Convex hull of points (Andrew's monotone chain), counter-clockwise, without repeating the first point. */
export function convexHull(points: readonly number[][]): number[][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: number[][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: number[][] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Direction of the long axis of the minimum-area rotated rectangle around polygons, in radians within (−π/2, π/2]:
 * one side of that rectangle lies on a hull edge, so each hull edge is tried (rotating calipers). Computed here,
 * not by st_orientedenvelope, because GEOS changed that function's rectangle in 3.12 (minimum width → minimum
 * area), and the same drawing must come out on PostGIS 3.3 and 3.6.
 * @example longAxisAngle([[[[0, 0], [4, 0], [4, 1], [0, 1], [0, 0]]]]) // 0
 */
export function longAxisAngle(polygons: readonly Rings[]): number {
  const hull = convexHull(polygons.flatMap((rings) => rings[0]));
  let best = { area: Infinity, theta: 0 };
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (const q of hull) {
      const u = q[0] * ux + q[1] * uy;
      const v = -q[0] * uy + q[1] * ux;
      umin = Math.min(umin, u); umax = Math.max(umax, u); vmin = Math.min(vmin, v); vmax = Math.max(vmax, v);
    }
    const area = (umax - umin) * (vmax - vmin);
    if (area < best.area * (1 - 1e-12)) {
      let theta = Math.atan2(uy, ux);
      if (vmax - vmin > umax - umin) theta += Math.PI / 2;
      best = { area, theta };
    }
  }
  let t = best.theta;
  while (t <= -Math.PI / 2) t += Math.PI;
  while (t > Math.PI / 2) t -= Math.PI;
  return t;
}

/** Polygons in the frame rotated by −theta about (ox, oy): the direction theta becomes the x axis. */
export function toFrame(polygons: readonly Rings[], theta: number, ox: number, oy: number): Rings[] {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return polygons.map((rings) => rings.map((ring) => ring.map(([x, y]) => [(x - ox) * c + (y - oy) * s, -(x - ox) * s + (y - oy) * c])));
}

/** Shared edge (m) below which two cells only touch at a point (or come near): merging them would give two parts. */
export const EDGE_M = 0.05;

/**
 * Which cells merge into which: smallest first, each candidate whose group is still below `below` m² joins the
 * group of its first neighbour that keeps the merged area within `max` and shares at least `min_shared` metres of
 * edge (default EDGE_M). With `near_fallback`, a candidate sharing no edge with any neighbour joins the first
 * (nearest) one anyway: an isolated sliver becomes a second part of a grid rather than a grid of its own.
 * Returns cell → head of its group (the cell merged into, followed to the end of the chain), for cells in groups of
 * two or more.
 * @example planMerges([{ id: 7, area: 500, neighbours: [{ id: 3, area: 9000, shared: 40 }] }], { below: 2000, max: Infinity }) // Map {7 => 3, 3 => 3}
 */
export function planMerges(
  cells: readonly MergeCell[],
  o: { below: number; max: number; min_shared?: number; near_fallback?: boolean },
): Map<number, number> {
  const minShared = o.min_shared ?? EDGE_M;
  const parent = new Map<number, number>();
  const area = new Map<number, number>();
  for (const c of cells) {
    area.set(c.id, c.area);
    for (const n of c.neighbours) if (!area.has(n.id)) area.set(n.id, n.area);
  }
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const sorted = [...cells].sort((a, b) => a.area - b.area || (a.x ?? 0) - (b.x ?? 0) || (a.y ?? 0) - (b.y ?? 0) || a.id - b.id);
  for (const c of sorted) {
    const ga = find(c.id);
    if (area.get(ga)! >= o.below) continue;
    const touches = c.neighbours.some((n) => n.shared >= EDGE_M);
    for (const n of c.neighbours) {
      if ((touches || !o.near_fallback) && n.shared < minShared) continue;
      const gb = find(n.id);
      if (gb === ga) continue;
      if (area.get(ga)! + area.get(gb)! > o.max) continue;
      parent.set(ga, gb);
      area.set(gb, area.get(ga)! + area.get(gb)!);
      break;
    }
  }
  const out = new Map<number, number>();
  for (const id of parent.keys()) {
    const head = find(id);
    out.set(id, head);
    out.set(head, head);
  }
  return out;
}

/** A grid to be numbered: its key and a representative point (centroid) in a projected CRS, metres, y north. */
export type NumberingItem<K> = { key: K; x: number; y: number };

/**
 * The numbering rule (docs/domain.md §1: west→east, north→south), precisely: rows are bands `row_height_m` high counted
 * down from `north_y` (the community's northern extent), row = floor((north_y − y) / row_height_m) of the grid's
 * centroid; rows go north→south, and inside a row grids go by centroid x, west→east (ties: north first, then key).
 * @example numberingOrder([{ key: 'b', x: 50, y: 950 }, { key: 'a', x: 10, y: 960 }, { key: 'c', x: 0, y: 800 }], { north_y: 1000, row_height_m: 100 }) // ['a', 'b', 'c']
 */
export function numberingOrder<K extends string | number>(
  items: readonly NumberingItem<K>[],
  o: { north_y: number; row_height_m: number },
): K[] {
  const row = (y: number) => Math.floor((o.north_y - y) / o.row_height_m);
  return [...items]
    .map((it) => ({ ...it, row: row(it.y) }))
    .sort((a, b) => a.row - b.row || a.x - b.x || b.y - a.y || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((it) => it.key);
}

/**
 * Codes for the new grids of one community, in numbering order: sequences after the highest ever used in the
 * community (current or ended), so no code is ever given to a second, different grid.
 * @example allocateCodes('900001005001', 12, 2) // ['900001005001013', '900001005001014']
 */
export function allocateCodes(communityCode: string, highestUsed: number, count: number): string[] {
  if (highestUsed + count > 999) {
    throw new DomainError(
      'unprocessable',
      `Community ${communityCode} would need grid sequence ${highestUsed + count}, past 999; draw larger grids or split the community`,
    );
  }
  return Array.from({ length: count }, (_, i) => gridCode(communityCode, highestUsed + 1 + i));
}

export type AreaStats = { count: number; total: number; min: number; median: number; max: number; mean: number };

/** Count, total, min, median, max and mean of areas; zeros for none. */
export function areaStats(areas: readonly number[]): AreaStats {
  if (!areas.length) return { count: 0, total: 0, min: 0, median: 0, max: 0, mean: 0 };
  const s = [...areas].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const total = s.reduce((a, b) => a + b, 0);
  return {
    count: s.length,
    total,
    min: s[0],
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    max: s[s.length - 1],
    mean: total / s.length,
  };
}

/** Share of areas in [lo, hi]. */
export function shareWithin(areas: readonly number[], lo: number, hi: number): number {
  return areas.length ? areas.filter((a) => a >= lo && a <= hi).length / areas.length : 0;
}

/** Counts of areas per bucket: below each bound in turn, and one more for the rest. */
export function histogram(areas: readonly number[], bounds: readonly number[]): number[] {
  const out = new Array<number>(bounds.length + 1).fill(0);
  for (const a of areas) {
    const i = bounds.findIndex((b) => a < b);
    out[i < 0 ? bounds.length : i]++;
  }
  return out;
}

/** Something the drawing could not do as the rules ask, with the reason. */
export type DrawIssue = {
  kind: 'sliver_kept' | 'sliver_merged_apart' | 'over_max' | 'under_min' | 'multipart' | 'no_lines' | 'zero_day_version' | 'tiling';
  community_code: string;
  message: string;
};

export type CommunityResult = {
  community_code: string;
  name: string;
  area_m2: number;
  grids: number;
  kept: number;
  ended: number;
  started: number;
  /** |area(union of grids) − area(community)| / area(community). */
  gap_ratio: number;
  /** (sum of grid areas − area of their union) / area(community). */
  overlap_ratio: number;
};

export type DrawSummary = {
  valid_from: string;
  srid: number;
  params: DrawParams;
  communities: CommunityResult[];
  /** Areas (m², geodesic) of the current grids of the drawn communities. */
  areas: AreaStats;
  share_5k_20k: number;
  histogram: { bounds: number[]; counts: number[] };
  kept: number;
  ended: number;
  started: number;
  /** Slivers merged into a neighbour, and cells merged because both were small. */
  merged: { slivers: number; small: number };
  /** Cells cut, and parts they were cut into. */
  cut: { cells: number; parts: number };
  issues: DrawIssue[];
  /** Largest gap and overlap ratio over the communities (the tiling tolerance achieved). */
  worst_gap_ratio: number;
  worst_overlap_ratio: number;
  seconds: number;
};

export const HISTOGRAM_BOUNDS = [2_000, 5_000, 8_000, 12_000, 15_000, 20_000, 30_000];

/** Plain-text report of a drawing run, one fact a line. */
export function formatSummary(s: DrawSummary): string[] {
  const m = (v: number) => Math.round(v).toLocaleString('en');
  const lines = [
    `grids drawn ${s.valid_from} in EPSG:${s.srid}: ${s.areas.count} current grids in ${s.communities.length} communities ` +
      `(kept ${s.kept}, ended ${s.ended}, started ${s.started}) in ${s.seconds.toFixed(1)} s`,
    `area m²: min ${m(s.areas.min)}, median ${m(s.areas.median)}, mean ${m(s.areas.mean)}, max ${m(s.areas.max)}, total ${m(s.areas.total)}; ` +
      `${(s.share_5k_20k * 100).toFixed(1)} % within 5,000–20,000`,
    'histogram: ' +
      s.histogram.counts
        .map((c, i) => `${i === 0 ? '<' + m(s.histogram.bounds[0]) : i === s.histogram.bounds.length ? '≥' + m(s.histogram.bounds[i - 1]) : m(s.histogram.bounds[i - 1]) + '–' + m(s.histogram.bounds[i])}: ${c}`)
        .join(', '),
    `parameters: target ${m(s.params.target_area_m2)}, min ${m(s.params.min_area_m2)}, max ${m(s.params.max_area_m2)}, ` +
      `consolidate below ${m(s.params.consolidate_below_m2)}, rows ${s.params.row_height_m} m, blocks ${s.params.use_blocks ? 'used' : 'not used'}`,
    `merged ${s.merged.slivers} slivers and ${s.merged.small} small cells; cut ${s.cut.cells} large cells into ${s.cut.parts} parts`,
    `tiling: worst |union − community| / community ${s.worst_gap_ratio.toExponential(1)}, worst overlap ${s.worst_overlap_ratio.toExponential(1)}`,
    'grids per community: ' + s.communities.map((c) => `${c.community_code} ${c.name} ${c.grids}`).join('; '),
  ];
  if (s.issues.length) {
    lines.push(`could not satisfy (${s.issues.length}):`);
    for (const i of s.issues) lines.push(`  ${i.community_code} ${i.kind}: ${i.message}`);
  } else lines.push('every rule satisfied');
  return lines;
}

/** UTM zone EPSG code (WGS84, 326xx north, 327xx south) for a longitude/latitude: the default working CRS. */
export function utmSrid(lon: number, lat: number): number {
  const zone = Math.min(60, Math.max(1, Math.floor((lon + 180) / 6) + 1));
  return (lat >= 0 ? 32600 : 32700) + zone;
}
