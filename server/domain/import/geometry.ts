// Component import: the geometry checks a row passes before it goes near SQL (type, nesting, numbers, ranges,
// closed and simple rings; lon/lat swaps). Pure.
import { gcj02ToWgs84, type Crs } from '../coords.js';
import type { RejectCode } from './vocabulary.js';

export type Position = [number, number];
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

const NESTING: Record<Geometry['type'], number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };

export type GeometryCheck =
  | { ok: true; geom: Geometry }
  /** `swapped`: the coordinates are out of range but in range with lon and lat exchanged; the caller may test
   *  whether that geometry lies in a grid and then report `swapped_coordinates`. */
  | { ok: false; code: RejectCode; reason: string; swapped?: Geometry; range_reason?: string };

const fmt = (n: number) => String(Math.round(n * 1e7) / 1e7);

class GeometryError extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message);
  }
}

function readPositions(c: unknown, depth: number, path: string): unknown {
  if (!Array.isArray(c)) throw new GeometryError('invalid_geometry', `${path} is not an array`);
  if (depth === 0) {
    if (c.length < 2) throw new GeometryError('invalid_coordinates', `a position needs two numbers; got [${c.join(', ')}]`);
    const [x, y] = c as unknown[];
    for (const [name, v] of [['longitude', x], ['latitude', y]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new GeometryError('invalid_coordinates', `${name} is not a number: ${JSON.stringify(v) ?? String(v)}`);
      }
    }
    return [x as number, y as number] as Position;
  }
  return c.map((e, i) => readPositions(e, depth - 1, `${path}[${i}]`));
}

function allPositions(g: Geometry): Position[] {
  switch (g.type) {
    case 'Point': return [g.coordinates];
    case 'MultiPoint': case 'LineString': return g.coordinates;
    case 'MultiLineString': case 'Polygon': return g.coordinates.flat();
    case 'MultiPolygon': return g.coordinates.flat(2);
  }
}

function mapPositions(g: Geometry, f: (p: Position) => Position): Geometry {
  const m1 = (ps: Position[]) => ps.map(f);
  switch (g.type) {
    case 'Point': return { type: g.type, coordinates: f(g.coordinates) };
    case 'MultiPoint': case 'LineString': return { type: g.type, coordinates: m1(g.coordinates) };
    case 'MultiLineString': case 'Polygon': return { type: g.type, coordinates: g.coordinates.map(m1) };
    case 'MultiPolygon': return { type: g.type, coordinates: g.coordinates.map((p) => p.map(m1)) };
  }
}

const inRange = ([x, y]: Position) => x >= -180 && x <= 180 && y >= -90 && y <= 90;

function dropRepeats(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
  }
  return out;
}

const orient = (a: Position, b: Position, c: Position) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const within = (a: Position, b: Position, p: Position) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

/** Where segments ab and cd meet (any contact, including touching and collinear overlap), or null. */
function contact(a: Position, b: Position, c: Position, d: Position): Position | null {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) {
    const t = o3 / (o3 - o4);
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }
  if (o1 === 0 && within(a, b, c)) return c;
  if (o2 === 0 && within(a, b, d)) return d;
  if (o3 === 0 && within(c, d, a)) return a;
  if (o4 === 0 && within(c, d, b)) return b;
  return null;
}

/** True when ab and cd cross at an interior point or overlap along a stretch (a single touching point is allowed). */
function crossesOrOverlaps(a: Position, b: Position, c: Position, d: Position): Position | null {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return contact(a, b, c, d);
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlapping with positive length?
    const ax = a[0] !== b[0] ? 0 : 1;
    const [lo1, hi1] = [Math.min(a[ax], b[ax]), Math.max(a[ax], b[ax])];
    const [lo2, hi2] = [Math.min(c[ax], d[ax]), Math.max(c[ax], d[ax])];
    if (Math.min(hi1, hi2) > Math.max(lo1, lo2)) return within(a, b, c) ? c : d;
  }
  return null;
}

type Seg = { a: Position; b: Position; ring: number; i: number; n: number; minX: number; maxX: number; minY: number; maxY: number };

/**
 * OGC validity of a polygon's rings that matters for locating it: each ring has 3+ distinct points, is closed
 * and does not touch itself; rings do not cross or overlap one another; every hole lies inside the shell.
 * Throws GeometryError. Sweep over segments sorted by x, so long rings stay cheap.
 */
function checkPolygon(rings: Position[][], label: string): void {
  if (rings.length === 0) throw new GeometryError('no_geometry', `${label} has no rings`);
  const segs: Seg[] = [];
  rings.forEach((ring, r) => {
    const name = r === 0 ? `the outer ring of ${label}` : `hole ${r} of ${label}`;
    if (ring.length < 4) throw new GeometryError('invalid_geometry', `${name} has ${ring.length} positions; a ring needs at least 4`);
    const first = ring[0], last = ring[ring.length - 1];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      throw new GeometryError('invalid_geometry', `${name} is not closed: it starts at (${fmt(first[0])}, ${fmt(first[1])}) and ends at (${fmt(last[0])}, ${fmt(last[1])})`);
    }
    const pts = dropRepeats(ring);
    const n = pts.length - 1;
    if (n < 3) throw new GeometryError('invalid_geometry', `${name} has fewer than 3 distinct points`);
    for (let i = 0; i < n; i++) {
      const a = pts[i], b = pts[i + 1];
      segs.push({ a, b, ring: r, i, n, minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]), minY: Math.min(a[1], b[1]), maxY: Math.max(a[1], b[1]) });
    }
  });
  segs.sort((s, t) => s.minX - t.minX);
  for (let x = 0; x < segs.length; x++) {
    const s = segs[x];
    for (let y = x + 1; y < segs.length && segs[y].minX <= s.maxX; y++) {
      const t = segs[y];
      if (t.minY > s.maxY || t.maxY < s.minY) continue;
      let at: Position | null;
      if (s.ring === t.ring) {
        const [p, q] = s.i < t.i ? [s, t] : [t, s];
        if (q.i === p.i + 1 || (p.i === 0 && q.i === p.n - 1)) {
          // Neighbours share one end; they are wrong only if they fold back over each other (a spike).
          const [u, v, w] = q.i === p.i + 1 ? [p.a, p.b, q.b] : [q.a, p.a, p.b];
          at = orient(u, v, w) === 0 && (v[0] - u[0]) * (w[0] - v[0]) + (v[1] - u[1]) * (w[1] - v[1]) < 0 ? v : null;
        } else at = contact(s.a, s.b, t.a, t.b);
        if (at) {
          const name = s.ring === 0 ? `the outer ring of ${label}` : `hole ${s.ring} of ${label}`;
          throw new GeometryError('invalid_geometry', `${name} intersects itself at (${fmt(at[0])}, ${fmt(at[1])})`);
        }
      } else if ((at = crossesOrOverlaps(s.a, s.b, t.a, t.b))) {
        throw new GeometryError('invalid_geometry', `rings ${Math.min(s.ring, t.ring)} and ${Math.max(s.ring, t.ring)} of ${label} cross at (${fmt(at[0])}, ${fmt(at[1])})`);
      }
    }
  }
  for (let r = 1; r < rings.length; r++) {
    // Rings do not cross, so one vertex off the shell's boundary tells inside from outside.
    const p = rings[r].find((v) => !onRing(rings[0], v));
    if (p && !insideRing(rings[0], p)) throw new GeometryError('invalid_geometry', `hole ${r} of ${label} lies outside its outer ring`);
  }
}

function onRing(ring: Position[], p: Position): boolean {
  for (let i = 0; i + 1 < ring.length; i++) if (orient(ring[i], ring[i + 1], p) === 0 && within(ring[i], ring[i + 1], p)) return true;
  return false;
}

function insideRing(ring: Position[], [x, y]: Position): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function checkLine(line: Position[], label: string): void {
  if (dropRepeats(line).length < 2) throw new GeometryError('invalid_geometry', `${label} needs at least 2 distinct positions`);
}

function checkShape(g: Geometry): void {
  switch (g.type) {
    case 'Point': return;
    case 'MultiPoint': if (!g.coordinates.length) throw new GeometryError('no_geometry', 'the MultiPoint is empty'); return;
    case 'LineString': return checkLine(g.coordinates, 'the LineString');
    case 'MultiLineString':
      if (!g.coordinates.length) throw new GeometryError('no_geometry', 'the MultiLineString is empty');
      return g.coordinates.forEach((l, i) => checkLine(l, `line ${i + 1} of the MultiLineString`));
    case 'Polygon': return checkPolygon(g.coordinates, 'the polygon');
    case 'MultiPolygon':
      if (!g.coordinates.length) throw new GeometryError('no_geometry', 'the MultiPolygon is empty');
      return g.coordinates.forEach((p, i) => checkPolygon(p, `polygon ${i + 1}`));
  }
}

/**
 * Checks a GeoJSON geometry before it goes near SQL (PGlite's PostGIS silently finds no grid for some invalid
 * shapes): type, nesting, numeric and in-range coordinates, closed and simple rings. Returns a 2-D WGS84 copy
 * (z dropped, GCJ-02 converted). Out-of-range coordinates that would be in range with lon and lat exchanged come
 * back with `swapped`, so the caller can test the swap against the grids.
 */
export function checkGeometry(g: unknown, crs: Crs = 'wgs84'): GeometryCheck {
  if (g === null || g === undefined) return { ok: false, code: 'no_geometry', reason: 'no geometry' };
  if (typeof g !== 'object' || Array.isArray(g)) return { ok: false, code: 'invalid_geometry', reason: 'geometry is not an object' };
  const type = (g as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in NESTING)) {
    return {
      ok: false, code: 'unsupported_geometry',
      reason: `geometry type ${typeof type === 'string' ? type : JSON.stringify(type)} is not supported (Point, LineString, Polygon and their Multi- forms are)`,
    };
  }
  let geom: Geometry;
  try {
    const coords = (g as { coordinates?: unknown }).coordinates;
    if (coords === undefined || coords === null || (Array.isArray(coords) && coords.length === 0)) {
      return { ok: false, code: 'no_geometry', reason: `the ${type} has no coordinates` };
    }
    geom = { type, coordinates: readPositions(coords, NESTING[type as Geometry['type']], 'coordinates') } as Geometry;
    checkShape(geom);
  } catch (e) {
    if (e instanceof GeometryError) return { ok: false, code: e.code, reason: e.message };
    throw e;
  }
  const bad = allPositions(geom).find((p) => !inRange(p));
  if (bad) {
    const [x, y] = bad;
    const what = x < -180 || x > 180 ? `longitude ${x} is outside -180…180` : `latitude ${y} is outside -90…90`;
    const flipped = mapPositions(geom, ([a, b]) => [b, a]);
    if (allPositions(flipped).every(inRange)) {
      const swapped = crs === 'gcj02' ? mapPositions(flipped, ([x, y]) => gcj02ToWgs84(x, y)) : flipped;
      return { ok: false, code: 'invalid_coordinates', reason: `${what}; the coordinates look like (lat, lon): swap them`, swapped, range_reason: what };
    }
    return { ok: false, code: 'invalid_coordinates', reason: what };
  }
  if (crs === 'gcj02') geom = mapPositions(geom, ([x, y]) => gcj02ToWgs84(x, y));
  return { ok: true, geom };
}

