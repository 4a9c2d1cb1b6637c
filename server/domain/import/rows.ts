// Component inventory import (部件普查数据导入): rows. A parsed feature or CSV record becomes a NormalRow or a
// rejection with its reason (source id, geometry, class, status, dates, duplicates); the report's rejection log.
// docs/domain.md §2–3, docs/api.md `POST /api/admin/import/components`. No I/O, no clock. The parsers that cut the input
// into features and records: server/services/geojson-stream.ts and server/domain/csv.ts.
//
// Decisions (see also server/services/import-components.ts):
// - A row's id field always holds a *source id*, never a Gridline identifier: the 17-digit identifier is always
//   assigned here (district of the grid + class + reserved sequence). The source id, namespaced by an optional
//   source (`cambridge:hydrants:PH6000`), is what makes a re-import update instead of duplicate.
// - A 16-digit legacy identifier (GB/T 30428.2-2013: 6 district + 4 class + 6 sequence) is kept as the source id
//   like any other id, and also recorded in attrs (`legacy_id`, `legacy_class_code`). Its 4-digit class is not
//   used: legacy component classes have no 2026 mapping in the standard (docs/domain.md §2), so the class comes from
//   the row's class field or the import's default class.
// - A 4-digit component class code is rejected ("legacy component code 0101 has no 2026 mapping"). For matter
//   classes the §2 event rule applies (legacyEventCode).
// - Of several rows with the same source id the first valid one is imported; the others are rejected as
//   duplicates naming the first row.
import { DomainError } from '../errors.js';
import { checkGeometry, type Geometry, type GeometryCheck } from './geometry.js';
import {
  COMPONENT_STATUSES, DATA_SOURCES, mapClassCode, parseDataSource, parseDateValue, parseStatus, statusWords,
  type ClassMapping, type ComponentStatus, type DataSource, type ImportSpec, type MappableField, type RejectCode, type Rejection, type RejectionParams,
} from './vocabulary.js';

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

/** Deepest nesting of arrays and objects a row may hold (a MultiPolygon feature needs 6). */
export const MAX_ROW_DEPTH = 32;

/**
 * Why a parsed row cannot be stored, or null: a NUL character (U+0000, which PostgreSQL text and jsonb refuse) in
 * a key or a string, or arrays/objects nested deeper than `maxDepth` (jsonb's and the checks' limits). A per-row
 * rejection, not a failure of the document: the other rows are fine. Iterative, so any depth is safe to inspect.
 * @example unstorable({ properties: { note: 'a\u0000b' } }) // 'properties.note contains a NUL character …'
 */
export function unstorable(value: unknown, maxDepth = MAX_ROW_DEPTH): string | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return `${path || 'the row'} contains a NUL character (U+0000), which cannot be stored: remove it from the file`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return `${path || 'the row'} is nested deeper than ${maxDepth} levels of arrays and objects: flatten it`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    for (const k of Object.keys(v)) {
      if (k.includes('\0')) return `a property name in ${path || 'the row'} contains a NUL character (U+0000), which cannot be stored: remove it from the file`;
      stack.push([(v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1]);
    }
  }
  return null;
}

/** The first field of a CSV record holding a NUL character, as a rejection reason, or null. */
export function nulInFields(fields: readonly string[], header?: readonly string[]): string | null {
  for (let i = 0; i < fields.length; i++) {
    if (fields[i].includes('\0')) return `column ${header?.[i] ?? i + 1} contains a NUL character (U+0000), which cannot be stored: remove it from the file`;
  }
  return null;
}
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
  private csvIndex: { id: number; lon: number; lat: number; cols: Record<MappableField, number>; header: string[]; attrCols: number[] } | null = null;

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
    const parsed = parseFeature(json);
    if ('malformed' in parsed) return reject(row, 'malformed_row', parsed.malformed);
    const { feat, props } = parsed;
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
    const cols: Record<MappableField, number> = { status: -1, class_code: -1, note: -1, survey_date: -1, change_date: -1, data_source: -1 };
    for (const [k, name] of this.mapEntries) cols[k] = need(name, `map ${k}`);
    const used = new Set([lon, lat, id, ...this.mapEntries.map(([k]) => cols[k])]);
    const attrCols = this.spec.keep_attrs === false ? [] : header.map((_, i) => i).filter((i) => !used.has(i));
    this.csvIndex = { id, lon, lat, cols, header, attrCols };
  }

  /** One CSV data record (call csvHeader first). */
  csvRecord(row: number, fields: string[]): RowResult {
    const ix = this.csvIndex;
    if (!ix) throw new Error('csvHeader() must come first');
    if (fields.length !== ix.header.length) {
      return reject(row, 'malformed_row', `row has ${fields.length} fields; the header has ${ix.header.length}`, { fields: fields.length, header: ix.header.length });
    }
    const nul = nulInFields(fields, ix.header);
    if (nul) return reject(row, 'malformed_row', nul);
    const ids = this.ids(row, fields[ix.id]);
    if ('ok' in ids) return ids;
    const lon = fields[ix.lon].trim(), lat = fields[ix.lat].trim();
    if (lon === '' && lat === '') return reject(row, 'no_geometry', 'no geometry: lon and lat are empty');
    const x = Number(lon), y = Number(lat);
    if (lon === '' || !Number.isFinite(x)) return reject(row, 'invalid_coordinates', `lon "${lon}" is not a number`, { field: 'lon', value: lon });
    if (lat === '' || !Number.isFinite(y)) return reject(row, 'invalid_coordinates', `lat "${lat}" is not a number`, { field: 'lat', value: lat });
    let geom: Geometry;
    if (x >= -180 && x <= 180 && y >= -90 && y <= 90 && this.spec.crs !== 'gcj02') geom = { type: 'Point', coordinates: [x, y] };
    else {
      const g = checkGeometry({ type: 'Point', coordinates: [x, y] }, this.spec.crs);
      if (!g.ok) return geometryRejection(row, g);
      geom = g.geom;
    }
    // One object literal of a fixed shape, not fields added by name in a loop (a slow keyed store per field).
    const c = ix.cols;
    const raw: RawValues = {
      status: c.status < 0 ? undefined : fields[c.status], class_code: c.class_code < 0 ? undefined : fields[c.class_code],
      note: c.note < 0 ? undefined : fields[c.note], survey_date: c.survey_date < 0 ? undefined : fields[c.survey_date],
      change_date: c.change_date < 0 ? undefined : fields[c.change_date], data_source: c.data_source < 0 ? undefined : fields[c.data_source],
    };
    const attrs: Record<string, unknown> = {};
    for (const i of ix.attrCols) if (fields[i] !== '') attrs[ix.header[i]] = fields[i];
    return this.finish(row, ids, geom, raw, attrs);
  }

  private ids(row: number, rawId: unknown): Ids | RowResult {
    if (rawId !== null && rawId !== undefined && typeof rawId !== 'string' && typeof rawId !== 'number') {
      return reject(row, 'invalid_source_id', `source id in ${this.spec.id_field} must be a string or a number; got ${JSON.stringify(rawId)}`);
    }
    const id = text(rawId);
    if (id === null) return reject(row, 'missing_source_id', `no source id: ${this.spec.id_field} is empty`, { field: this.spec.id_field });
    if (id.length > MAX_SOURCE_ID) return reject(row, 'invalid_source_id', `source id is longer than ${MAX_SOURCE_ID} characters`, { max: MAX_SOURCE_ID });
    return { id, source_id: this.spec.source ? `${this.spec.source}:${id}` : id };
  }

  private finish(row: number, ids: Ids, geom: Geometry, raw: RawValues, attrs: Record<string, unknown>): RowResult {
    let class_code = this.spec.class_code;
    const rawClass = text(raw.class_code);
    if (rawClass !== null) {
      const m = this.classOf(rawClass);
      if (m.code === null) return reject(row, m.reject, m.reason, m.value === undefined ? undefined : { value: m.value });
      class_code = m.code;
    }
    const rawStatus = text(raw.status);
    let status: ComponentStatus | null = null;
    if (rawStatus !== null) {
      status = this.statusOf(rawStatus);
      if (!status) return reject(row, 'invalid_status', `unknown status "${rawStatus}" (use ${COMPONENT_STATUSES.join('/')}, 完好/破损/丢失/废弃/移除, or add it to the status values)`, { value: String(rawStatus) });
    }
    const rawSource = text(raw.data_source);
    let data_source: DataSource | null = null;
    if (rawSource !== null) {
      data_source = parseDataSource(rawSource);
      if (!data_source) return reject(row, 'invalid_data_source', `unknown data source "${rawSource}" (use ${DATA_SOURCES.join('/')} or 实测/地形图/基础地理数据/其他)`, { value: String(rawSource) });
    }
    let survey_date: string | null = null;
    let change_date: string | null = null;
    for (const k of DATE_FIELDS) {
      const v = raw[k];
      if (v === undefined || v === null) continue;
      // JSON numbers are epoch ms (or YYYYMMDD); text goes through the memo.
      const t = typeof v === 'number' ? null : text(v);
      const d = typeof v === 'number' ? parseDateValue(v) : t === null ? null : this.dateOf(t);
      if (d === undefined) return reject(row, 'invalid_date', `${k.replace('_', ' ')} "${text(v)}" is not a date between 1800 and 2200 (YYYY-MM-DD, YYYYMMDD or epoch milliseconds)`, { field: k, value: String(text(v)) });
      if (k === 'survey_date') survey_date = d;
      else change_date = d;
    }
    if (ids.id.length === 16 && /^[0-9]{16}$/.test(ids.id)) {
      attrs.legacy_id = ids.id;
      attrs.legacy_class_code = ids.id.slice(6, 10);
    }
    // Duplicates last, so a bad first row does not block a good later one. Keyed by the id, not the source id: the
    // source is the same for every row, and the id is a flat string where the source id is a concatenation that each
    // lookup would copy to hash (issue 12: node's CPU per row).
    const first = this.seen.get(ids.id);
    if (first !== undefined) return reject(row, 'duplicate_source_id', `duplicate source id ${ids.id} (first in row ${first})`, { value: ids.id, first_row: first });
    this.seen.set(ids.id, row);
    return { ok: true, row: { row, source_id: ids.source_id, class_code, status, survey_date, change_date, data_source, note: text(raw.note), attrs, geom } };
  }
}

const DATE_FIELDS = ['survey_date', 'change_date'] as const;

function reject(row: number, code: RejectCode, reason: string, params?: RejectionParams): RowResult {
  return { ok: false, rejection: params ? { row, code, reason, params } : { row, code, reason } };
}

function geometryRejection(row: number, g: Extract<GeometryCheck, { ok: false }>): RowResult {
  const rejection: Rejection = { row, code: g.code, reason: g.reason };
  return g.swapped ? { ok: false, rejection, swap: { row, reason: g.range_reason ?? g.reason, swapped: g.swapped } } : { ok: false, rejection };
}

/** One element of a FeatureCollection's `features` as JSON text: the Feature and its properties, or why it is malformed. */
export function parseFeature(json: string):
  | { feat: { id?: unknown; geometry?: unknown; properties?: unknown }; props: Record<string, unknown> }
  | { malformed: string } {
  let f: unknown;
  try {
    f = JSON.parse(json);
  } catch (e) {
    return { malformed: `feature is not valid JSON (${(e as Error).message})` };
  }
  if (!f || typeof f !== 'object' || Array.isArray(f) || (f as { type?: unknown }).type !== 'Feature') {
    return { malformed: 'element of "features" is not a GeoJSON Feature' };
  }
  const bad = unstorable(f);
  if (bad) return { malformed: bad };
  const feat = f as { id?: unknown; geometry?: unknown; properties?: unknown };
  const props = (feat.properties && typeof feat.properties === 'object' && !Array.isArray(feat.properties) ? feat.properties : {}) as Record<string, unknown>;
  return { feat, props };
}

/** A property by name, exactly or else case-insensitively. */
export function lookup(props: Record<string, unknown>, name: string): unknown {
  if (name in props) return props[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(props)) if (k.toLowerCase() === lower) return props[k];
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/** The rejections of an import: every one up to `limit`, and per code the count and the first `sample` rows. */
export class RejectionLog<R extends { row: number; code: string } = Rejection> {
  readonly list: R[] = [];
  readonly byCode = new Map<R['code'], { count: number; first: R[] }>();
  total = 0;

  constructor(private readonly limit = 100_000, private readonly sample = 10) {}

  add(r: R): void {
    this.total++;
    if (this.list.length < this.limit) this.list.push(r);
    let e = this.byCode.get(r.code);
    if (!e) this.byCode.set(r.code, (e = { count: 0, first: [] }));
    e.count++;
    if (e.first.length < this.sample) e.first.push(r);
  }

  /** Rejections in row order (SQL-side rejections of a batch arrive after the parser's). */
  sorted(): R[] {
    return [...this.list].sort((a, b) => a.row - b.row);
  }
}
