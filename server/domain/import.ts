// Component inventory import (部件普查数据导入): the pure half. Streaming splitters for a GeoJSON FeatureCollection
// and for CSV, field mapping, row validation (geometry, coordinates, class, status, dates, duplicate source ids)
// and EWKT output. domain.md §2–3, api.md `POST /api/admin/import/components`. No I/O, no clock.
//
// Decisions (see also server/services/import-components.ts):
// - A row's id field always holds a *source id*, never a Gridline identifier: the 17-digit identifier is always
//   assigned here (district of the grid + class + reserved sequence). The source id, namespaced by an optional
//   source (`cambridge:hydrants:PH6000`), is what makes a re-import update instead of duplicate.
// - A 16-digit legacy identifier (GB/T 30428.2-2013: 6 district + 4 class + 6 sequence) is kept as the source id
//   like any other id, and also recorded in attrs (`legacy_id`, `legacy_class_code`). Its 4-digit class is not
//   used: legacy component classes have no 2026 mapping in the standard (domain.md §2), so the class comes from
//   the row's class field or the import's default class.
// - A 4-digit component class code is rejected ("legacy component code 0101 has no 2026 mapping"). For matter
//   classes the §2 event rule applies (legacyEventCode).
// - Of several rows with the same source id the first valid one is imported; the others are rejected as
//   duplicates naming the first row.
import { CLASS_CODE, legacyEventCode, type ClassKind } from './codes.js';
import { gcj02ToWgs84, type Crs } from './coords.js';
import { DomainError } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

export const COMPONENT_STATUSES = ['intact', 'damaged', 'missing', 'abandoned', 'removed'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const DATA_SOURCES = ['survey', 'topographic_map', 'base_geodata', 'other'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

/** Why a row was not imported; `reason` says it for a person. */
export type RejectCode =
  | 'malformed_row'         // not a JSON object / CSV field count differs from the header
  | 'missing_source_id'
  | 'invalid_source_id'
  | 'duplicate_source_id'   // an earlier row of the same file has the same source id
  | 'no_geometry'
  | 'unsupported_geometry'  // GeometryCollection, unknown type
  | 'invalid_geometry'      // unclosed or self-intersecting ring, too few points, …
  | 'invalid_coordinates'   // not a number, out of range
  | 'swapped_coordinates'   // lat/lon order reversed: the swapped point lies in a grid
  | 'outside_grids'         // no current unit grid covers it
  | 'unknown_class'
  | 'legacy_class'          // a 4-digit 2013 code without a 2026 mapping
  | 'invalid_status'
  | 'invalid_date'
  | 'invalid_data_source'
  | 'class_changed'         // re-import would change the class of an existing component (its id embeds the class)
  | 'district_changed';     // … or move it to another district (its id embeds the district)

export type Rejection = { row: number; code: RejectCode; reason: string };

/** Fields of a component a row may supply, and the property/column holding each (`--map status=STATUS,…`). */
export const MAPPABLE_FIELDS = ['status', 'class_code', 'note', 'survey_date', 'change_date', 'data_source'] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];
export type FieldMap = Partial<Record<MappableField, string>>;

/** What an import reads and how (the query string of the endpoint, the options of `npm run import`). */
export type ImportSpec = {
  /** Class of rows that name none (5-digit component class). */
  class_code: string;
  /** Property (GeoJSON) or column (CSV) holding the source id. */
  id_field: string;
  /** Namespace of the source ids, e.g. `cambridge:hydrants`; stored ids become `cambridge:hydrants:PH6000`. */
  source?: string | null;
  map?: FieldMap;
  /** CSV coordinate columns; by default the first of lon/lng/long/longitude/x and lat/latitude/y (any case). */
  lon_field?: string | null;
  lat_field?: string | null;
  /** Extra status words, e.g. { MITFL: 'damaged' }; matched like the built-in synonyms (case-insensitive). */
  status_values?: Readonly<Record<string, ComponentStatus>>;
  /** Coordinates of the input; GCJ-02 is converted to WGS84 (domain.md §4). */
  crs?: Crs;
  /** Keep the row's other properties/columns in attrs (local extra attributes); true by default. */
  keep_attrs?: boolean;
};

// ---------------------------------------------------------------------------------------------------------------
// Status, data source, dates, classes, option strings

const STATUS_WORDS: Record<string, ComponentStatus> = {};
for (const [status, words] of Object.entries({
  intact: ['intact', 'ok', 'good', 'normal', 'active', 'act', 'in service', 'in use', 'working', 'operational', 'functional', '完好', '正常', '良好'],
  damaged: ['damaged', 'damage', 'broken', 'faulty', 'defective', 'needs repair', 'poor', 'dmg', '破损', '损坏', '损毁', '故障'],
  missing: ['missing', 'lost', 'stolen', 'absent', '丢失', '缺失', '遗失'],
  abandoned: ['abandoned', 'abn', 'inactive', 'disused', 'out of service', 'decommissioned', 'retired', '废弃', '停用'],
  removed: ['removed', 'deleted', 'demolished', 'dismantled', '移除', '拆除', '已拆除'],
} as Record<ComponentStatus, string[]>)) {
  for (const w of words) STATUS_WORDS[w] = status as ComponentStatus;
}

/** Case-, space-, underscore- and hyphen-insensitive form of a vocabulary word. */
export function vocabularyKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** Extra status words (as in ImportSpec.status_values) keyed for parseStatus. */
export function statusWords(extra: Readonly<Record<string, ComponentStatus>> = {}): Map<string, ComponentStatus> {
  return new Map(Object.entries(extra).map(([k, v]) => [vocabularyKey(k), v]));
}

/**
 * The component status a word names: the five statuses of GB/T 47678.5-2026 table 2, their Chinese names
 * (完好/破损/丢失/废弃/移除) and common synonyms, plus `extra` (from statusWords). Null when unknown.
 * @example parseStatus('破损') // 'damaged'
 */
export function parseStatus(text: string, extra?: ReadonlyMap<string, ComponentStatus>): ComponentStatus | null {
  const k = vocabularyKey(text);
  return extra?.get(k) ?? STATUS_WORDS[k] ?? null;
}

const DATA_SOURCE_WORDS: Record<string, DataSource> = {
  survey: 'survey', surveyed: 'survey', 'field survey': 'survey', measured: 'survey', 实测: 'survey', 普查: 'survey',
  'topographic map': 'topographic_map', topographic: 'topographic_map', 地形图: 'topographic_map',
  'base geodata': 'base_geodata', gis: 'base_geodata', 'base geographic data': 'base_geodata', 基础地理数据: 'base_geodata',
  other: 'other', others: 'other', 其他: 'other', 其它: 'other',
};

/** The data source (数据来源) a word names, or null. @example parseDataSource('实测') // 'survey' */
export function parseDataSource(text: string): DataSource | null {
  return DATA_SOURCE_WORDS[vocabularyKey(text)] ?? null;
}

function ymd(y: number, m: number, d: number): string | null {
  if (!(y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null; // 2023-02-30
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function fromEpochMs(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const t = new Date(ms);
  return Number.isNaN(t.getTime()) ? null : ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/**
 * A date value → YYYY-MM-DD. Accepts YYYY-MM-DD (also with / or . and an ignored time part), YYYYMMDD,
 * YYYY年M月D日, YYYY and YYYY-MM (→ the first day), and numbers or digit strings of 10+ digits as epoch
 * milliseconds (Esri exports; UTC date).
 * `null` for an empty value, `undefined` when the value is not a date.
 * @example parseDateValue(-3029443200000) // '1874-01-01'
 */
export function parseDateValue(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 18000101 && v <= 22001231) return ymd(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100) ?? undefined;
    return fromEpochMs(v) ?? undefined;
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return null;
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])/.exec(s) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3])) ?? undefined;
  // A year or a month only (common in inventories): its first day.
  m = /^(\d{4})(?:[-/.年](\d{1,2})月?)?$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2] ?? 1), 1) ?? undefined;
  m = /^-?\d{10,}$/.exec(s);
  if (m) return fromEpochMs(Number(s)) ?? undefined;
  return undefined;
}

export type ClassMapping = { code: string } | { code: null; reject: 'unknown_class' | 'legacy_class'; reason: string };

/**
 * Maps a class code from an input row to a 2026 class of `kind` known in `known`: 5-digit codes as they are,
 * 4-digit 2013 codes by domain.md §2 (matters: the event rule; components: no mapping exists, so rejected).
 * @example mapClassCode('component', '0101', new Set(['01001'])) // { code: null, reject: 'legacy_class', … }
 */
export function mapClassCode(kind: ClassKind, raw: string, known: ReadonlySet<string>): ClassMapping {
  const code = raw.trim();
  if (CLASS_CODE.test(code)) {
    if (known.has(code)) return { code };
    return { code: null, reject: 'unknown_class', reason: `unknown ${kind} class ${code} (not in GB/T 47678.5-2026)` };
  }
  if (/^[0-9]{4}$/.test(code)) {
    const mapped = kind === 'matter' ? legacyEventCode(code, known) : null;
    if (mapped) return { code: mapped };
    return { code: null, reject: 'legacy_class', reason: `legacy ${kind} code ${code} has no 2026 mapping` };
  }
  return { code: null, reject: 'unknown_class', reason: `class code "${code}" is not a 5-digit ${kind} class code` };
}

/**
 * Parses `status=STATUS,class_code=TYPE,note=REMARK` into a FieldMap.
 * @throws DomainError bad_request for an unknown field or a missing name
 */
export function parseFieldMap(text: string): FieldMap {
  const out: FieldMap = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const field = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(key)) {
      throw new DomainError('bad_request', `map: unknown field "${key}"; mappable fields are ${MAPPABLE_FIELDS.join(', ')}`);
    }
    if (!field) throw new DomainError('bad_request', `map: "${key}" needs a property or column name, as in ${key}=NAME`);
    out[key as MappableField] = field;
  }
  return out;
}

/**
 * Parses `MITFL=damaged,OOS=abandoned` (extra status words).
 * @throws DomainError bad_request when a value is not one of the five statuses
 */
export function parseStatusValues(text: string): Record<string, ComponentStatus> {
  const out: Record<string, ComponentStatus> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const word = eq < 0 ? '' : part.slice(0, eq).trim();
    const status = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!word || !(COMPONENT_STATUSES as readonly string[]).includes(status)) {
      throw new DomainError('bad_request', `status values: "${part}" must be WORD=STATUS with STATUS one of ${COMPONENT_STATUSES.join(', ')}`);
    }
    out[word] = status as ComponentStatus;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Geometry

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

const num = (n: number) => (Object.is(n, -0) ? '0' : String(n));
const pts = (ps: Position[]) => ps.map(([x, y]) => `${num(x)} ${num(y)}`).join(',');
const rings = (rs: Position[][]) => rs.map((r) => `(${pts(r)})`).join(',');

/** EWKT with SRID 4326 (COPY text input of a geometry column); numbers keep full double precision.
 * @example toEwkt({ type: 'Point', coordinates: [116.4, 39.9] }) // 'SRID=4326;POINT(116.4 39.9)' */
export function toEwkt(g: Geometry): string {
  switch (g.type) {
    case 'Point': return `SRID=4326;POINT(${num(g.coordinates[0])} ${num(g.coordinates[1])})`;
    case 'MultiPoint': return `SRID=4326;MULTIPOINT(${g.coordinates.map(([x, y]) => `(${num(x)} ${num(y)})`).join(',')})`;
    case 'LineString': return `SRID=4326;LINESTRING(${pts(g.coordinates)})`;
    case 'MultiLineString': return `SRID=4326;MULTILINESTRING(${rings(g.coordinates)})`;
    case 'Polygon': return `SRID=4326;POLYGON(${rings(g.coordinates)})`;
    case 'MultiPolygon': return `SRID=4326;MULTIPOLYGON(${g.coordinates.map((p) => `(${rings(p)})`).join(',')})`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming splitters

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
/** Cap on the text before the features array ("type", "crs", "name", …), which is kept to be parsed. */
const HEAD_LIMIT = 16 * 1024 * 1024;
const CRS_WGS84 = /(CRS84|EPSG:+4326|WGS ?84)\s*$/i;

/**
 * Splits a GeoJSON FeatureCollection arriving in chunks into the JSON text of each element of its `features`
 * array, without parsing the whole document: a byte-at-a-time scanner that tracks strings (and their escapes)
 * and bracket depth, keeps only the current element, and checks the members before `features` ("type" must be
 * FeatureCollection, a "crs" must be WGS84). Chunks may split anything anywhere (strings, escapes, numbers).
 * @example const s = new FeatureSplitter(); s.push('{"type":"FeatureCollection","features":[{"a":1},'); // ['{"a":1}']
 */
export class FeatureSplitter {
  private mode: 'start' | 'head' | 'features' | 'tail' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private head = '';
  /** Current element: parts from earlier chunks, its start in the current chunk, and whether it is a scalar. */
  private parts: string[] = [];
  private start = -1;
  private scalar = false;
  private offset = 0;
  /** Elements emitted so far. */
  count = 0;

  push(chunk: string): string[] {
    const out: string[] = [];
    const n = chunk.length;
    let headFrom = this.mode === 'head' ? 0 : -1;
    if (this.start >= 0) this.start = 0;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.scalar && this.depth === 2) this.emit(chunk, i + 1, out);
        }
        continue;
      }
      switch (this.mode) {
        case 'start':
          if (isSpace(c) || c === 0xfeff) continue;
          if (c !== LBRACE) throw this.fail(`expected a GeoJSON FeatureCollection (an object); the input starts with "${chunk.slice(i, i + 20)}"`, i);
          this.mode = 'head';
          this.depth = 1;
          headFrom = i;
          continue;
        case 'head':
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) {
            if (c === LBRACKET && this.depth === 1) {
              this.head += chunk.slice(headFrom, i);
              headFrom = -1;
              if (/"features"\s*:\s*$/.test(this.head)) {
                this.checkHead(i);
                this.mode = 'features';
                this.depth = 2;
                continue;
              }
              headFrom = i;
            }
            this.depth++;
          } else if (c === RBRACE || c === RBRACKET) {
            if (--this.depth === 0) throw this.fail('the GeoJSON object has no "features" array', i);
          }
          continue;
        case 'features':
          if (this.start < 0) {
            // Between elements.
            if (isSpace(c) || c === COMMA) continue;
            if (c === RBRACKET) { this.mode = 'tail'; this.depth = 1; continue; }
            this.start = i;
            this.scalar = c !== LBRACE && c !== LBRACKET;
            if (c === QUOTE) this.inString = true;
            else if (!this.scalar) this.depth++;
            continue;
          }
          if (this.scalar) {
            if (c === COMMA || c === RBRACKET || isSpace(c)) {
              this.emit(chunk, i, out);
              if (c === RBRACKET) { this.mode = 'tail'; this.depth = 1; }
            }
            continue;
          }
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) this.depth++;
          else if (c === RBRACE || c === RBRACKET) {
            if (--this.depth === 2) this.emit(chunk, i + 1, out);
          }
          continue;
        case 'tail':
          if (c === QUOTE) this.inString = true;
          else if (c === LBRACE || c === LBRACKET) this.depth++;
          else if (c === RBRACE || c === RBRACKET) { if (--this.depth === 0) this.mode = 'done'; }
          continue;
        case 'done':
          if (!isSpace(c)) throw this.fail('unexpected text after the end of the FeatureCollection', i);
          continue;
      }
    }
    if (headFrom >= 0 && this.mode === 'head') {
      this.head += chunk.slice(headFrom);
      if (this.head.length > HEAD_LIMIT) throw this.fail('more than 16 MB before the "features" array', n);
    }
    if (this.start >= 0) {
      this.parts.push(chunk.slice(this.start));
      this.start = 0;
    } else this.start = -1;
    this.offset += n;
    return out;
  }

  /** Call after the last chunk: emits a trailing scalar and throws if the document is cut short. */
  end(): string[] {
    const out: string[] = [];
    if (this.mode === 'features' && this.scalar && this.start >= 0 && !this.inString) this.emit('', 0, out);
    if (this.mode === 'start') throw this.fail('the input is empty', 0);
    if (this.mode === 'head') throw this.fail('the input ended before a "features" array', 0);
    if (this.mode === 'features') throw this.fail(`the input ended inside the "features" array after ${this.count} features (truncated file?)`, 0);
    return out;
  }

  private emit(chunk: string, endAt: number, out: string[]) {
    const tail = chunk.slice(this.start < 0 ? 0 : this.start, endAt);
    out.push(this.parts.length ? this.parts.join('') + tail : tail);
    this.parts = [];
    this.start = -1;
    this.scalar = false;
    this.count++;
  }

  private checkHead(at: number) {
    let members: Record<string, unknown>;
    try {
      members = JSON.parse(this.head + 'null}');
    } catch {
      throw this.fail('the members before "features" are not valid JSON', at);
    }
    if (members.type !== undefined && members.type !== 'FeatureCollection') {
      throw this.fail(`expected a FeatureCollection; "type" is ${JSON.stringify(members.type)}`, at);
    }
    const crs = members.crs as { properties?: { name?: unknown } } | undefined;
    if (crs) {
      const name = String(crs.properties?.name ?? JSON.stringify(crs));
      if (!CRS_WGS84.test(name)) throw this.fail(`crs ${name} is not supported; send WGS84 lon/lat (EPSG:4326, RFC 7946)`, at);
    }
  }

  private fail(message: string, at: number) {
    return new DomainError('bad_request', `GeoJSON: ${message}`, { offset: this.offset + at });
  }
}

/** Longest CSV record accepted (a stray quote would otherwise swallow the rest of the file into one field). */
const CSV_RECORD_LIMIT = 16 * 1024 * 1024;

/**
 * Splits CSV arriving in chunks into records (RFC 4180: quoted fields with doubled quotes, commas and line breaks
 * inside quotes, LF or CRLF line ends, a leading BOM). A quote only opens a field at its start; elsewhere it is
 * text. Empty lines are skipped. An incomplete record is carried to the next chunk. Lines without quotes take a
 * fast path (indexOf + split).
 */
export class CsvSplitter {
  private carry = '';
  private first = true;
  /** Records emitted so far. */
  count = 0;

  push(chunk: string): string[][] {
    let text = this.carry + chunk;
    if (this.first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    const out: string[][] = [];
    const pos = this.scan(text, false, out);
    this.carry = text.slice(pos);
    if (this.carry.length > CSV_RECORD_LIMIT) {
      throw new DomainError('bad_request', `CSV: record ${this.count + 1} is longer than 16 MB (an unterminated quote?)`);
    }
    return out;
  }

  end(): string[][] {
    const out: string[][] = [];
    this.scan(this.carry, true, out);
    this.carry = '';
    return out;
  }

  private scan(text: string, final: boolean, out: string[][]): number {
    let pos = 0;
    const n = text.length;
    let quote = -1; // next quote at or after pos (searched again only once passed), Infinity when none
    while (pos < n) {
      const nl = text.indexOf('\n', pos);
      if (nl >= 0) {
        if (quote < pos) quote = text.indexOf('"', pos) < 0 ? Infinity : text.indexOf('"', pos);
        if (quote > nl) {
          const line = text.charCodeAt(nl - 1) === 13 && nl > pos ? text.slice(pos, nl - 1) : text.slice(pos, nl);
          if (line !== '') { out.push(line.split(',')); this.count++; }
          pos = nl + 1;
          continue;
        }
      }
      const r = this.record(text, pos, final);
      if (!r) break;
      if (r.fields.length > 1 || r.fields[0] !== '' || r.quoted) { out.push(r.fields); this.count++; }
      pos = r.next;
    }
    return pos;
  }

  /** One record starting at `pos`, char by char; null when it may continue in the next chunk. */
  private record(text: string, pos: number, final: boolean): { fields: string[]; next: number; quoted: boolean } | null {
    const fields: string[] = [];
    let field = '';
    let i = pos;
    let quoted = false;
    let anyQuoted = false;
    let atStart = true;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c === QUOTE) {
          if (i + 1 >= n && !final) return null; // "" split across chunks?
          if (text.charCodeAt(i + 1) === QUOTE) { field += '"'; i += 2; continue; }
          quoted = false;
          i++;
          continue;
        }
        const q = text.indexOf('"', i);
        if (q < 0) {
          if (final) throw new DomainError('bad_request', `CSV: record ${this.count + 1} has an unterminated quoted field`);
          return null;
        }
        field += text.slice(i, q);
        i = q;
        continue;
      }
      if (c === QUOTE && atStart) { quoted = true; anyQuoted = true; atStart = false; i++; continue; }
      if (c === COMMA) { fields.push(field); field = ''; atStart = true; i++; continue; }
      if (c === 10 || c === 13) {
        if (c === 13) {
          if (i + 1 >= n && !final) return null;
          if (text.charCodeAt(i + 1) === 10) i++;
        }
        fields.push(field);
        return { fields, next: i + 1, quoted: anyQuoted };
      }
      field += text[i];
      atStart = false;
      i++;
    }
    if (!final) return null;
    fields.push(field);
    return { fields, next: n, quoted: anyQuoted };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

/** A row ready for the database; null fields are "not given": defaults for new components, kept on update. */
export type NormalRow = {
  row: number;
  source_id: string;
  class_code: string;
  status: ComponentStatus | null;
  survey_date: string | null;
  change_date: string | null;
  data_source: DataSource | null;
  note: string | null;
  attrs: Record<string, unknown>;
  geom: Geometry;
};

/** A row rejected for out-of-range coordinates that look swapped: the database decides whether the swap lies in
 *  a grid (then `swapped_coordinates`) or not (`invalid_coordinates`). `reason` says what is out of range. */
export type SwapCandidate = { row: number; reason: string; swapped: Geometry };

export type RowResult = { ok: true; row: NormalRow } | { ok: false; rejection: Rejection; swap?: SwapCandidate };

const MAX_SOURCE_ID = 200;
const LON_NAMES = ['lon', 'lng', 'long', 'longitude', 'x'];
const LAT_NAMES = ['lat', 'latitude', 'y'];

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'string' ? v.trim() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s === '' ? null : s;
}

type RawValues = Partial<Record<MappableField, unknown>>;
type Ids = { id: string; source_id: string };
const MEMO_LIMIT = 10_000;

/** Memoised f: input columns repeat the same few values (statuses, classes, dates) millions of times. */
function memo<V>(f: (k: string) => V): (k: string) => V {
  const cache = new Map<string, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined && !cache.has(k)) {
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(k, (v = f(k)));
    }
    return v as V;
  };
}

/**
 * Turns parsed input rows into NormalRows or rejections, one at a time, remembering the source ids seen so far
 * (duplicates within one file). Holds no I/O: the service feeds it feature texts or CSV records. Checks run in a
 * fixed order (source id, geometry, class, status, data source, dates, duplicate), and the first failure is the
 * row's reason.
 */
export class RowNormaliser {
  private readonly seen = new Map<string, number>();
  private readonly mapped: ReadonlySet<string>;
  private readonly mapEntries: [MappableField, string][];
  private readonly classOf: (raw: string) => ClassMapping;
  private readonly statusOf: (raw: string) => ComponentStatus | null;
  private readonly dateOf: (raw: string) => string | null | undefined;
  private csvIndex: { id: number; lon: number; lat: number; map: [MappableField, number][]; header: string[]; attrCols: number[] } | null = null;

  constructor(private readonly spec: ImportSpec, known: ReadonlySet<string>) {
    const c = mapClassCode('component', spec.class_code, known);
    if (c.code === null) throw new DomainError('unknown_class', `class_code: ${c.reason}`);
    if (!spec.id_field?.trim()) throw new DomainError('bad_request', 'id_field must name the property or column holding the source id');
    if (spec.source != null && !/^[\w.:/-]{1,80}$/.test(spec.source)) {
      throw new DomainError('bad_request', `source "${spec.source}" must be 1–80 letters, digits or . _ : / -`);
    }
    const words = statusWords(spec.status_values);
    this.mapEntries = Object.entries(spec.map ?? {}) as [MappableField, string][];
    this.mapped = new Set([spec.id_field, ...this.mapEntries.map(([, name]) => name)]);
    this.classOf = memo((raw) => mapClassCode('component', raw, known));
    this.statusOf = memo((raw) => parseStatus(raw, words));
    this.dateOf = memo((raw) => parseDateValue(raw));
  }

  /** The JSON text of one element of `features`. */
  feature(row: number, json: string): RowResult {
    let f: unknown;
    try {
      f = JSON.parse(json);
    } catch (e) {
      return reject(row, 'malformed_row', `feature is not valid JSON (${(e as Error).message})`);
    }
    if (!f || typeof f !== 'object' || Array.isArray(f) || (f as { type?: unknown }).type !== 'Feature') {
      return reject(row, 'malformed_row', 'element of "features" is not a GeoJSON Feature');
    }
    const feat = f as { id?: unknown; geometry?: unknown; properties?: unknown };
    const props = (feat.properties && typeof feat.properties === 'object' && !Array.isArray(feat.properties) ? feat.properties : {}) as Record<string, unknown>;
    let rawId = lookup(props, this.spec.id_field);
    if (rawId === undefined && this.spec.id_field === 'id') rawId = feat.id;
    const ids = this.ids(row, rawId);
    if ('ok' in ids) return ids;
    const g = checkGeometry(feat.geometry, this.spec.crs);
    if (!g.ok) return geometryRejection(row, g);
    const raw: RawValues = {};
    for (const [k, name] of this.mapEntries) raw[k] = lookup(props, name);
    const attrs: Record<string, unknown> = {};
    if (this.spec.keep_attrs !== false) {
      for (const k in props) {
        const v = props[k];
        if (v !== null && v !== '' && !this.mapped.has(k)) attrs[k] = v;
      }
    }
    return this.finish(row, ids, g.geom, raw, attrs);
  }

  /** The header record of a CSV input. @throws DomainError bad_request when a named column is missing */
  csvHeader(fields: string[]): void {
    const header = fields.map((h) => h.trim());
    const find = (name: string) => {
      const i = header.indexOf(name);
      return i >= 0 ? i : header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    };
    const need = (name: string, what: string) => {
      const i = find(name);
      if (i < 0) throw new DomainError('bad_request', `CSV: no column "${name}" (${what}); the header has ${header.join(', ')}`);
      return i;
    };
    const pick = (given: string | null | undefined, names: string[], what: string) => {
      if (given) return need(given, what);
      for (const name of names) {
        const i = find(name);
        if (i >= 0) return i;
      }
      throw new DomainError('bad_request', `CSV: no ${what} column (${names.join(', ')}); the header has ${header.join(', ')}`);
    };
    const lon = pick(this.spec.lon_field, LON_NAMES, 'longitude');
    const lat = pick(this.spec.lat_field, LAT_NAMES, 'latitude');
    const id = need(this.spec.id_field, 'id_field');
    const map = this.mapEntries.map(([k, name]) => [k, need(name, `map ${k}`)] as [MappableField, number]);
    const used = new Set([lon, lat, id, ...map.map(([, i]) => i)]);
    const attrCols = this.spec.keep_attrs === false ? [] : header.map((_, i) => i).filter((i) => !used.has(i));
    this.csvIndex = { id, lon, lat, map, header, attrCols };
  }

  /** One CSV data record (call csvHeader first). */
  csvRecord(row: number, fields: string[]): RowResult {
    const ix = this.csvIndex;
    if (!ix) throw new Error('csvHeader() must come first');
    if (fields.length !== ix.header.length) {
      return reject(row, 'malformed_row', `row has ${fields.length} fields; the header has ${ix.header.length}`);
    }
    const ids = this.ids(row, fields[ix.id]);
    if ('ok' in ids) return ids;
    const lon = fields[ix.lon].trim(), lat = fields[ix.lat].trim();
    if (lon === '' && lat === '') return reject(row, 'no_geometry', 'no geometry: lon and lat are empty');
    const x = Number(lon), y = Number(lat);
    if (lon === '' || !Number.isFinite(x)) return reject(row, 'invalid_coordinates', `lon "${lon}" is not a number`);
    if (lat === '' || !Number.isFinite(y)) return reject(row, 'invalid_coordinates', `lat "${lat}" is not a number`);
    let geom: Geometry;
    if (x >= -180 && x <= 180 && y >= -90 && y <= 90 && this.spec.crs !== 'gcj02') geom = { type: 'Point', coordinates: [x, y] };
    else {
      const g = checkGeometry({ type: 'Point', coordinates: [x, y] }, this.spec.crs);
      if (!g.ok) return geometryRejection(row, g);
      geom = g.geom;
    }
    const raw: RawValues = {};
    for (const [k, i] of ix.map) raw[k] = fields[i];
    const attrs: Record<string, unknown> = {};
    for (const i of ix.attrCols) if (fields[i] !== '') attrs[ix.header[i]] = fields[i];
    return this.finish(row, ids, geom, raw, attrs);
  }

  private ids(row: number, rawId: unknown): Ids | RowResult {
    if (rawId !== null && rawId !== undefined && typeof rawId !== 'string' && typeof rawId !== 'number') {
      return reject(row, 'invalid_source_id', `source id in ${this.spec.id_field} must be a string or a number; got ${JSON.stringify(rawId)}`);
    }
    const id = text(rawId);
    if (id === null) return reject(row, 'missing_source_id', `no source id: ${this.spec.id_field} is empty`);
    if (id.length > MAX_SOURCE_ID) return reject(row, 'invalid_source_id', `source id is longer than ${MAX_SOURCE_ID} characters`);
    return { id, source_id: this.spec.source ? `${this.spec.source}:${id}` : id };
  }

  private finish(row: number, ids: Ids, geom: Geometry, raw: RawValues, attrs: Record<string, unknown>): RowResult {
    let class_code = this.spec.class_code;
    const rawClass = text(raw.class_code);
    if (rawClass !== null) {
      const m = this.classOf(rawClass);
      if (m.code === null) return reject(row, m.reject, m.reason);
      class_code = m.code;
    }
    const rawStatus = text(raw.status);
    let status: ComponentStatus | null = null;
    if (rawStatus !== null) {
      status = this.statusOf(rawStatus);
      if (!status) return reject(row, 'invalid_status', `unknown status "${rawStatus}" (use ${COMPONENT_STATUSES.join('/')}, 完好/破损/丢失/废弃/移除, or add it to the status values)`);
    }
    const rawSource = text(raw.data_source);
    let data_source: DataSource | null = null;
    if (rawSource !== null) {
      data_source = parseDataSource(rawSource);
      if (!data_source) return reject(row, 'invalid_data_source', `unknown data source "${rawSource}" (use ${DATA_SOURCES.join('/')} or 实测/地形图/基础地理数据/其他)`);
    }
    let survey_date: string | null = null;
    let change_date: string | null = null;
    for (const k of DATE_FIELDS) {
      const v = raw[k];
      if (v === undefined || v === null) continue;
      // JSON numbers are epoch ms (or YYYYMMDD); text goes through the memo.
      const d = typeof v === 'number' ? parseDateValue(v) : text(v) === null ? null : this.dateOf(text(v)!);
      if (d === undefined) return reject(row, 'invalid_date', `${k.replace('_', ' ')} "${text(v)}" is not a date between 1800 and 2200 (YYYY-MM-DD, YYYYMMDD or epoch milliseconds)`);
      if (k === 'survey_date') survey_date = d;
      else change_date = d;
    }
    if (/^[0-9]{16}$/.test(ids.id)) {
      attrs.legacy_id = ids.id;
      attrs.legacy_class_code = ids.id.slice(6, 10);
    }
    // Duplicates last, so a bad first row does not block a good later one.
    const first = this.seen.get(ids.source_id);
    if (first !== undefined) return reject(row, 'duplicate_source_id', `duplicate source id ${ids.id} (first in row ${first})`);
    this.seen.set(ids.source_id, row);
    return { ok: true, row: { row, source_id: ids.source_id, class_code, status, survey_date, change_date, data_source, note: text(raw.note), attrs, geom } };
  }
}

const DATE_FIELDS = ['survey_date', 'change_date'] as const;

function reject(row: number, code: RejectCode, reason: string): RowResult {
  return { ok: false, rejection: { row, code, reason } };
}

function geometryRejection(row: number, g: Extract<GeometryCheck, { ok: false }>): RowResult {
  const rejection: Rejection = { row, code: g.code, reason: g.reason };
  return g.swapped ? { ok: false, rejection, swap: { row, reason: g.range_reason ?? g.reason, swapped: g.swapped } } : { ok: false, rejection };
}

function lookup(props: Record<string, unknown>, name: string): unknown {
  if (name in props) return props[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(props)) if (k.toLowerCase() === lower) return props[k];
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/** The rejections of an import: every one up to `limit`, and per code the count and the first `sample` rows. */
export class RejectionLog {
  readonly list: Rejection[] = [];
  readonly byCode = new Map<RejectCode, { count: number; first: Rejection[] }>();
  total = 0;

  constructor(private readonly limit = 100_000, private readonly sample = 10) {}

  add(r: Rejection): void {
    this.total++;
    if (this.list.length < this.limit) this.list.push(r);
    let e = this.byCode.get(r.code);
    if (!e) this.byCode.set(r.code, (e = { count: 0, first: [] }));
    e.count++;
    if (e.first.length < this.sample) e.first.push(r);
  }

  /** Rejections in row order (SQL-side rejections of a batch arrive after the parser's). */
  sorted(): Rejection[] {
    return [...this.list].sort((a, b) => a.row - b.row);
  }
}
