// Component import (部件普查数据导入), its vocabulary: statuses, data sources, rejection codes, the import's options,
// and the words, dates, class codes and option strings a row or a query may give. docs/domain.md §2–3, docs/api.md
// `POST /api/admin/import/components`. Pure.
import { CLASS_CODE, legacyEventCode, type ClassKind } from '../codes.js';
import type { Crs } from '../coords.js';
import { DomainError } from '../errors.js';

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
  | 'district_changed';     // no longer given since 0062 (a source id is unique per district: a row in another district is a new component there); kept for reports stored before

/** `params`: what the reason names (value, field, row, grid …), for saying it in the UI's language (domain/import/reasons.ts). */
export type RejectionParams = Record<string, string | number>;
export type Rejection = { row: number; code: RejectCode; reason: string; params?: RejectionParams };

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
  /** Coordinates of the input; GCJ-02 is converted to WGS84 (docs/domain.md §4). */
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

export type ClassMapping = { code: string } | { code: null; reject: 'unknown_class' | 'legacy_class'; reason: string; value?: string };

/**
 * Maps a class code from an input row to a 2026 class of `kind` known in `known`: 5-digit codes as they are,
 * 4-digit 2013 codes by docs/domain.md §2 (matters: the event rule; components: no mapping exists, so rejected).
 * @example mapClassCode('component', '0101', new Set(['01001'])) // { code: null, reject: 'legacy_class', … }
 */
export function mapClassCode(kind: ClassKind, raw: string, known: ReadonlySet<string>): ClassMapping {
  const code = raw.trim();
  if (CLASS_CODE.test(code)) {
    if (known.has(code)) return { code };
    return { code: null, reject: 'unknown_class', reason: `unknown ${kind} class ${code} (not in GB/T 47678.5-2026)`, value: code };
  }
  if (/^[0-9]{4}$/.test(code)) {
    const mapped = kind === 'matter' ? legacyEventCode(code, known) : null;
    if (mapped) return { code: mapped };
    return { code: null, reject: 'legacy_class', reason: `legacy ${kind} code ${code} has no 2026 mapping`, value: code };
  }
  return { code: null, reject: 'unknown_class', reason: `class code "${code}" is not a 5-digit ${kind} class code`, value: code };
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

